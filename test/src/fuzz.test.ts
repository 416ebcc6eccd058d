import type { Db } from '@syncline/gateway';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import type { TestGateway } from './support/gateway-client';
import { useTestGateway } from './support/gateway-client';
import { type Answer, Findings, Tally } from './support/hostile/report';
import {
  FOREIGN_TODO_IDS,
  generateRequest,
  type HostileRequest,
  SECRET,
} from './support/hostile-requests';
import { push, todo } from './support/sync-calls';

/**
 * A seeded fuzz run: thousands of generated hostile requests (malformed bodies, wrong variable
 * types, injection strings, deep and wide documents, huge batches) sent to the in-process
 * gateway. Every answer must be below HTTP 500, leak no SQL, stack or driver detail, carry only
 * documented error codes, hand the fuzz user nothing of other users, and apply no write; the
 * database must be exactly as it was before. Set SYNCLINE_FUZZ_SEED to try another seed, and
 * SYNCLINE_FUZZ_REQUESTS for a longer run.
 */

const SEED = Number(process.env.SYNCLINE_FUZZ_SEED ?? 20_260_501);
const REQUESTS = Number(process.env.SYNCLINE_FUZZ_REQUESTS ?? 2_000);
/** Smaller than the production default (2 MB) so that "too large" costs little to send. */
const MAX_BODY_BYTES = 128 * 1024;
const ANSWER_TIMEOUT_MS = 10_000;
/** A run takes 15-20 s per database kind on two cores: Vitest's default 30 s is too tight. */
const RUN_TIMEOUT_MS = 120_000;

const DOCUMENTED_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CURSOR_EXPIRED',
  'LIMIT_EXCEEDED',
]);
/** Statuses yoga may answer without a GraphQL body: preflight, not here, wrong method or media type, too large. */
const BODILESS_STATUSES = new Set([204, 404, 405, 406, 413, 415]);
const SYNCED_TABLES = [
  'todo_item',
  'vehicle_manufacturer',
  'vehicle_model',
  'vehicle_model_update',
  'syncline_outcome',
];

/** What no request sends, so what no answer may hold: SQL text, stack frames, driver names. */
const LEAKS_NEVER_SENT =
  /Failed query|params:|\bfrom\s+"|"\w+"\."\w+"|PostgresError|DrizzleQueryError|PGlite|\bat\s+(?:async\s+)?[\w.<>$]+\s+\(|\bat [^\s"]+\.[cm]?[jt]s:\d+|\.[cm]?[jt]s:\d+:\d+|file:\/\/|node_modules/i;
/** As in errors.test.ts. Injection strings carry these words, so a word counts only when the request did not send it. */
const LEAK_WORDS =
  /\bselect\b|\binsert\s+into\b|\bupdate\s+"?\w+"?\s+set\b|\bdelete\s+from\b|todo_item|syncline_\w+|vehicle_model\w*|vehicle_manufacturer|xid8|\bstack\b/gi;

describe.each(databaseKinds)('hostile requests on $name', (kind) => {
  const suite = useTestGateway(kind, { limits: { maxBodyBytes: MAX_BODY_BYTES } });
  let before: Snapshot = {};

  beforeAll(async () => {
    await seedOtherUsersRows(suite.gateway);
    before = await snapshot(suite.db.database.db);
  });

  it(
    `answers ${REQUESTS} generated hostile requests without a 5xx, a leak, an undocumented code or a write`,
    async () => {
      expect(Object.keys(before)).toEqual(expect.arrayContaining(SYNCED_TABLES));
      expect(before.todo_item).toHaveLength(FOREIGN_TODO_IDS.length);
      expect(before.syncline_outcome?.length).toBeGreaterThan(0);

      console.log(`Fuzzing ${kind.name} with seed ${SEED} (SYNCLINE_FUZZ_SEED)`);
      const tally = new Tally();
      const findings = new Findings();
      const started = performance.now();
      for (let index = 0; index < REQUESTS; index++) {
        const request = generateRequest(SEED, index);
        const sentAt = performance.now();
        const answer = await send(suite.gateway, request);
        const ms = performance.now() - sentAt;
        const payloads = graphqlPayloads(answer);
        const codes = Array.isArray(payloads)
          ? payloads
              .flatMap((payload) => payload.errors ?? [])
              .map((e) => String(e.extensions?.code))
          : undefined;
        const problems = problemsOf(request, answer, payloads);
        tally.count(request, answer, codes, problems.length, ms);
        for (const { rule, detail } of problems) findings.add(rule, detail, request, answer);
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        tally.format(
          `${REQUESTS} hostile requests on ${kind.name}, seed ${SEED}, in ${seconds.toFixed(1)} s`,
        ),
      );
      const found = findings.summary();
      if (found.length) {
        const how = `(one request again: generateRequest(${SEED}, index) in support/hostile-requests.ts)`;
        console.log(`Findings on ${kind.name} ${how}:\n${found.join('\n\n')}`);
      }

      expect.soft(found, `seed ${SEED}: answers that break the rules`).toEqual([]);
      expect(await snapshot(suite.db.database.db)).toEqual(before);
    },
    RUN_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// The rows the fuzz user must never reach, and the database before and after

/** Alice's live row and tombstone, Bob's live row, Alice's command: all out of the fuzz user's reach. */
async function seedOtherUsersRows(gateway: TestGateway) {
  const [aliceLive, aliceGone, bobLive] = FOREIGN_TODO_IDS;
  const text = (who: string) => ({ data: { text: `${who}'s ${SECRET}` } });
  await push(
    gateway,
    [todo('INSERT', aliceLive, text('alice')), todo('INSERT', aliceGone, text('alice'))],
    'alice',
  );
  await push(gateway, [todo('DELETE', aliceGone, { version: 1 })], 'alice');
  await push(gateway, [todo('INSERT', bobLive, text('bob'))], 'bob');
  const command = {
    opId: 'fuzz-seed-cmd',
    kind: 'INSERT',
    id: 'fuzz-seed-cmd',
    data: { vehicleModelId: 'vm-man-tgx', accoladeCount: 2 },
  };
  const outcomes = await push(gateway, [{ vehicleModelUpdate: command }], 'alice');
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['APPLIED']);
}

type Snapshot = Record<string, unknown[]>;

/** Every row of every table in the public schema, in a stable order. */
async function snapshot(db: Db): Promise<Snapshot> {
  const tables = rowsOf<{ table_name: string }>(
    await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    ),
  );
  const result: Snapshot = {};
  for (const { table_name: name } of tables) {
    result[name] = rowsOf(
      await db.execute(sql`select * from ${sql.identifier(name)} order by 1, 2`),
    );
  }
  return result;
}

/** Rows of a raw `db.execute()`: postgres.js returns an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

// ---------------------------------------------------------------------------------------------
// Sending and judging

async function send(gateway: TestGateway, request: HostileRequest): Promise<Answer> {
  // A copy: the fetch machinery adds headers (content-length) to the object it is given.
  const init: RequestInit = { method: request.method, headers: { ...request.headers } };
  if (request.body !== undefined) init.body = request.body;
  const response = await gateway.yoga.fetch(`http://gateway.test${request.path}`, init);
  let stopTimer = () => {};
  const timedOut = new Promise<undefined>((resolve) => {
    const timer = setTimeout(resolve, ANSWER_TIMEOUT_MS);
    stopTimer = () => clearTimeout(timer);
  });
  const text = await Promise.race([response.text(), timedOut]);
  stopTimer();
  if (text === undefined) {
    await response.body?.cancel().catch(() => undefined);
    return { status: -1, contentType: '', text: `no answer within ${ANSWER_TIMEOUT_MS} ms` };
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

interface Problem {
  /** What went wrong, without the details of one request: findings are grouped by it. */
  rule: string;
  detail: string;
}

type Payloads = GraphQLPayload[] | 'invalid' | undefined;

interface GraphQLPayload {
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
  data?: unknown;
}

/** Every rule an answer breaks. */
function problemsOf(request: HostileRequest, answer: Answer, payloads: Payloads): Problem[] {
  const problems: Problem[] = [];
  const problem = (rule: string, detail = '') => problems.push({ rule, detail });
  if (answer.status === -1) problem('no answer in time');
  else if (answer.status >= 500) problem(`HTTP ${answer.status}`);

  const neverSent = answer.text.match(LEAKS_NEVER_SENT);
  if (neverSent) problem(`leak: ${neverSent[0]}`);
  for (const leak of leaksIn(answer.text, request)) problem(`leak: ${leak}`);
  if (answer.text.includes(SECRET)) problem("another user's row in the answer");

  if (payloads === 'invalid') {
    problem(`invalid JSON body with HTTP ${answer.status}`);
    return problems;
  }
  if (payloads === undefined) {
    if (!BODILESS_STATUSES.has(answer.status) && answer.status !== -1)
      problem(`non-GraphQL body with HTTP ${answer.status}`, answer.contentType);
    return problems;
  }
  let errors = 0;
  const outcomes: string[] = [];
  for (const payload of payloads) {
    for (const error of payload.errors ?? []) {
      errors++;
      const code = error.extensions?.code;
      if (typeof code !== 'string' || !DOCUMENTED_CODES.has(code))
        problem(`error code ${String(code)}`, String(error.message));
    }
    collectOutcomes(payload.data, outcomes);
  }
  if (outcomes.includes('APPLIED')) problem('a write was applied');
  if (request.expect === 'refused' && answer.status < 400 && errors === 0) problem('not refused');
  if (request.expect === 'refused' && outcomes.length > 0) problem('refused, yet operations ran');
  return problems;
}

/** The SQL, stack and table words of an answer that its request did not send itself. */
function leaksIn(answer: string, request: HostileRequest): string[] {
  const body = typeof request.body === 'string' ? request.body : '';
  // Cursors are base64url: the gateway may quote back what one decodes to.
  const decoded = (body.match(/[\w-]{8,}/g) ?? []).map((token) =>
    Buffer.from(token, 'base64url').toString('utf8'),
  );
  const sent = [request.path, body, ...decoded].join(' ');
  const sentWords = new Set((sent.match(LEAK_WORDS) ?? []).map((word) => word.toLowerCase()));
  const found = (answer.match(LEAK_WORDS) ?? []).filter(
    (word) => !sentWords.has(word.toLowerCase()),
  );
  return [...new Set(found)];
}

/** The GraphQL results in an answer: one JSON body, server-sent events, or multipart parts. */
function graphqlPayloads(answer: Answer): Payloads {
  const type = answer.contentType.toLowerCase();
  let texts: string[];
  if (type.includes('json')) texts = [answer.text];
  else if (type.startsWith('text/event-stream'))
    texts = answer.text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter((data) => data.length > 0);
  else if (type.startsWith('multipart/mixed'))
    texts = answer.text
      .split(/\r\n-{3}/)
      .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4).trim())
      .filter((part) => part.startsWith('{'));
  else return undefined;
  try {
    return texts.map((each) => JSON.parse(each) as GraphQLPayload);
  } catch {
    return 'invalid';
  }
}

/** The `status` of every write outcome in a result's data. */
function collectOutcomes(data: unknown, into: string[], depth = 0) {
  if (typeof data !== 'object' || data === null || depth > 8) return;
  const status = (data as { status?: unknown }).status;
  if (status === 'APPLIED' || status === 'CONFLICT' || status === 'REJECTED') into.push(status);
  for (const value of Object.values(data)) collectOutcomes(value, into, depth + 1);
}
