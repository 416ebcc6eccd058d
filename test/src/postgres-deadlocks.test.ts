import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway } from './support/gateway-client';
import { Random } from './support/random';
import { newOpId, type PushResult, pushRaw, todo } from './support/sync-calls';

const kind = postgresKinds[0];

const MODELS = [
  'vm-volvo-fh16',
  'vm-volvo-fmx',
  'vm-scania-r500',
  'vm-man-tgx',
  'vm-mercedes-actros',
  'vm-mercedes-sprinter',
  'vm-iveco-daily',
  'vm-ford-transit',
];
/** Commands a batch carries, each on another model, in an order of its own. */
const PER_BATCH = 3;
const CLIENTS = 12;
const ROUNDS = 3;

/** A command giving `count` accolades to a model: its hook locks that model's row. */
const accolade = (vehicleModelId: string, count: number) => ({
  vehicleModelUpdate: {
    opId: newOpId(),
    kind: 'INSERT',
    id: `cmd-${crypto.randomUUID()}`,
    data: { vehicleModelId, accoladeCount: count },
  },
});

/**
 * Pushes whose transactions lock the same rows in different orders deadlock on Postgres,
 * and Postgres aborts one of them. The client must never see that: the gateway runs the
 * batch again, exactly as the first time. Two gateway processes share one database.
 */
describe.skipIf(!kind)('pushes that lock the same rows in other orders on postgres', () => {
  let db: TestDatabase;
  let gateways: TestGateway[];
  let sql: postgres.Sql;
  /** The gateways' warnings, where each retry is logged. */
  const warnings: unknown[][] = [];

  beforeAll(async () => {
    db = await (kind as NonNullable<typeof kind>).create();
    const logger = {
      warn: (...args: unknown[]) => warnings.push(args),
      error() {},
      info() {},
      debug() {},
      // Each request's lines come from a child carrying its id.
      child: () => logger,
    } as never;
    gateways = [
      await startGateway(db.database, { logger }),
      await startGateway(await db.connectAgain(), { logger }),
    ];
    sql = postgres(db.url as string, { max: 3, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** Pushes as `user`; a GraphQL error is recorded, not thrown, so that all of them are counted. */
  async function tryPush(
    gateway: TestGateway,
    operations: object[],
    user: string,
    failures: string[],
  ): Promise<PushResult[]> {
    const result = await pushRaw(gateway, operations, user);
    if (result.errors?.length || !result.data) {
      failures.push(result.errors?.map((error) => error.message).join('; ') ?? 'no data');
      return [];
    }
    return result.data.push;
  }

  async function models() {
    const rows = await sql<{ id: string; accoladeCount: number; version: number }[]>`
      select id, accolade_count as "accoladeCount", version from vehicle_model`;
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Polls the server's lock table until `query` counts `expected`: Postgres says when, not a timer. */
  async function until(query: () => Promise<number>, expected: number) {
    for (let attempt = 0; attempt < 1000; attempt++) {
      if ((await query()) === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`gave up waiting for ${expected}`);
  }
  /** Backends that wait for a lock held by another backend that waits too. */
  const chained = async () => {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity waiter,
        unnest(pg_blocking_pids(waiter.pid)) as blocker(pid)
      where waiter.datname = current_database() and blocker.pid in
        (select pid from pg_stat_activity where wait_event_type = 'Lock')`;
    return row?.n ?? 0;
  };
  const waiting = async () => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    return row?.n ?? 0;
  };

  it('applies both of two batches that wait for each other in a deadlock', async () => {
    const [first, second] = MODELS as [string, string];
    const before = await models();
    const warned = warnings.length;
    const holdFirst = await sql.reserve();
    const holdSecond = await sql.reserve();
    const failures: string[] = [];
    try {
      // Two outside transactions hold the models' rows, so that each batch has taken a
      // row of its own when it reaches the row the other took: a deadlock every time.
      await holdFirst`begin`;
      await holdFirst`select 1 from vehicle_model where id = ${first} for update`;
      await holdSecond`begin`;
      await holdSecond`select 1 from vehicle_model where id = ${second} for update`;
      const forward = tryPush(
        gateways[0] as TestGateway,
        [accolade(first, 1), accolade(second, 1)],
        'tech-forward',
        failures,
      );
      const backward = tryPush(
        gateways[1] as TestGateway,
        [accolade(second, 2), accolade(first, 2)],
        'tech-backward',
        failures,
      );
      await until(waiting, 2);
      await holdFirst`commit`;
      // `forward` has the first model and waits behind `backward` for the second.
      await until(chained, 1);
      await holdSecond`commit`;
      const outcomes = await Promise.all([forward, backward]);
      expect(failures).toEqual([]);
      expect(outcomes.flat().map((outcome) => outcome.status)).toEqual(Array(4).fill('APPLIED'));
      // Postgres aborted one of them once; it was applied again, alone, and said so.
      expect(warnings.slice(warned)).toEqual([
        [expect.objectContaining({ attempt: 1, sqlState: '40P01' }), expect.any(String)],
      ]);
      const after = await models();
      for (const id of [first, second]) {
        expect(after.get(id)).toEqual({
          id,
          accoladeCount: (before.get(id)?.accoladeCount ?? Number.NaN) + 3,
          version: (before.get(id)?.version ?? Number.NaN) + 2,
        });
      }
    } finally {
      for (const hold of [holdFirst, holdSecond]) {
        await hold`rollback`.catch(() => undefined);
        hold.release();
      }
    }
  });

  it('answers every push of many clients giving accolades in different orders', async () => {
    const before = await models();
    const sent = new Map(MODELS.map((id) => [id, { count: 0, commands: 0 }]));
    const failures: string[] = [];
    const statuses: string[] = [];
    const client = async (index: number) => {
      const random = new Random(index + 1);
      for (let round = 0; round < ROUNDS; round++) {
        const operations = random
          .shuffled(MODELS)
          .slice(0, PER_BATCH)
          .map((id) => {
            const count = random.int(1, 3);
            return { id, count, operation: accolade(id, count) };
          });
        const gateway = gateways[(index + round) % 2] as TestGateway;
        const outcomes = await tryPush(
          gateway,
          operations.map((each) => each.operation),
          `tech-${index}`,
          failures,
        );
        statuses.push(...outcomes.map((outcome) => outcome.status));
        for (const { id, count } of operations) {
          const total = sent.get(id) as { count: number; commands: number };
          total.count += count;
          total.commands += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

    expect(failures, `${failures.length} of ${CLIENTS * ROUNDS} pushes failed`).toEqual([]);
    expect(statuses).toEqual(Array(CLIENTS * ROUNDS * PER_BATCH).fill('APPLIED'));
    const after = await models();
    for (const [id, total] of sent) {
      expect(after.get(id)).toEqual({
        id,
        accoladeCount: (before.get(id)?.accoladeCount ?? Number.NaN) + total.count,
        version: (before.get(id)?.version ?? Number.NaN) + total.commands,
      });
    }
  });

  // Each of these batches is one bulk UPDATE, whose rows are locked in the order of their
  // ids first: batches on the same rows wait for each other, and none deadlocks.
  it('answers every push of one user updating the same to-dos in different orders', async () => {
    const warned = warnings.length;
    const ids = Array.from({ length: 6 }, (_, index) => `shared-todo-${index}`);
    const user = 'tech-shared';
    const setup: string[] = [];
    await tryPush(
      gateways[0] as TestGateway,
      ids.map((id) => todo('INSERT', id, { data: { text: 'new' } })),
      user,
      setup,
    );
    expect(setup).toEqual([]);
    const failures: string[] = [];
    /** Every APPLIED update, by row: its version and text. */
    const applied = new Map(ids.map((id) => [id, [] as { version: number; text: string }[]]));
    const device = async (index: number) => {
      const random = new Random(100 + index);
      // What this device last heard of each row's version.
      const seen = new Map(ids.map((id) => [id, 1]));
      for (let round = 0; round < ROUNDS; round++) {
        const chosen = random.shuffled(ids).slice(0, 4);
        const operations = chosen.map((id) =>
          todo('UPDATE', id, {
            version: seen.get(id),
            data: { text: `device ${index} round ${round}` },
          }),
        );
        const gateway = gateways[(index + round) % 2] as TestGateway;
        const outcomes = await tryPush(gateway, operations, user, failures);
        for (const [position, outcome] of outcomes.entries()) {
          const id = chosen[position] as string;
          const row = outcome.row as { version: number; text: string };
          expect([outcome.status, outcome.code]).toSatisfy(
            ([status, code]: unknown[]) =>
              status === 'APPLIED' || (status === 'CONFLICT' && code === 'VERSION_MISMATCH'),
          );
          if (outcome.status === 'APPLIED') applied.get(id)?.push(row);
          seen.set(id, row.version);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => device(index)));

    expect(failures, `${failures.length} of ${CLIENTS * ROUNDS} pushes failed`).toEqual([]);
    expect(warnings.slice(warned), 'batches aborted by a deadlock and applied again').toEqual([]);
    const rows = await sql<{ id: string; version: number; text: string }[]>`
      select id, version, text from todo_item where user_id = ${user} order by id`;
    expect(rows.map((row) => row.id)).toEqual(ids);
    for (const row of rows) {
      const writes = (applied.get(row.id) ?? []).sort((a, b) => a.version - b.version);
      // Each APPLIED update made exactly one version, and the last one is what is stored.
      expect(writes.map((write) => write.version)).toEqual(
        Array.from({ length: row.version - 1 }, (_, index) => index + 2),
      );
      expect(row.text).toBe(writes.at(-1)?.text ?? 'new');
    }
  });
});
