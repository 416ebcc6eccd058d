import type { HostileRequest, RequestKind } from '../hostile-requests';
import { FUZZ_USER } from './shared';

/** What came back for one hostile request. */
export interface Answer {
  /** -1 when no answer came in time. */
  status: number;
  contentType: string;
  text: string;
}

/** Per kind of request: how many were sent, how long they took, and what came back. */
export class Tally {
  private readonly rows = new Map<RequestKind, Map<string, number>>();

  /** `codes`: the error codes of a GraphQL answer, undefined when the body was not GraphQL. */
  count(
    request: HostileRequest,
    answer: Answer,
    codes: string[] | undefined,
    problems: number,
    ms: number,
  ) {
    const row = this.rows.get(request.kind) ?? new Map<string, number>();
    this.rows.set(request.kind, row);
    const add = (column: string, by = 1) => row.set(column, (row.get(column) ?? 0) + by);
    add('sent');
    add('seconds', ms / 1000);
    add(`HTTP ${answer.status}`);
    if (codes === undefined) add('no JSON');
    for (const code of new Set(codes)) add(code);
    if (problems) add('problems');
  }

  /** A plain-text table: a row per kind, a column per status and per error code. */
  format(title: string): string {
    const seen = new Set([...this.rows.values()].flatMap((row) => [...row.keys()]));
    const statuses = [...seen].filter((column) => column.startsWith('HTTP ')).sort();
    const codes = [...seen].filter((column) => /^[A-Z_]+$/.test(column)).sort();
    const header = ['kind', 'sent', 'seconds', ...statuses, 'no JSON', ...codes, 'problems'];
    const lines = [...this.rows.entries()].map(([kind, row]) => [
      kind,
      ...header.slice(1).map((column) => {
        const value = row.get(column) ?? 0;
        return column === 'seconds' ? value.toFixed(1) : String(value);
      }),
    ]);
    const widths = header.map((cell, i) =>
      Math.max(cell.length, ...lines.map((line) => line[i]?.length ?? 0)),
    );
    const render = (cells: string[]) =>
      cells
        .map((cell, i) => (i ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ');
    return [title, render(header), ...lines.map(render)].join('\n');
  }
}

/** Problems grouped by rule and generator case, each with its first request as a reproduction. */
export class Findings {
  private readonly groups = new Map<string, { count: number; first: string }>();

  /** `rule` names what went wrong without one request's details: findings are grouped by it. */
  add(rule: string, detail: string, request: HostileRequest, answer: Answer) {
    const key = `${rule} — ${request.kind} / ${request.variant}`;
    const group = this.groups.get(key);
    if (group) {
      group.count++;
      return;
    }
    const why = detail ? ` (${detail})` : '';
    const first = `request #${request.index}${why}: ${describeRequest(request)}`;
    this.groups.set(key, {
      count: 1,
      first: `${first}\n    answer: HTTP ${answer.status} ${clip(answer.text, 300)}`,
    });
  }

  summary(): string[] {
    return [...this.groups.entries()].map(
      ([key, { count, first }]) => `${key}: ${count}×, first ${first}`,
    );
  }
}

function describeRequest(request: HostileRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name, value]) => name !== 'x-test-user' || value !== FUZZ_USER)
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ');
  let body = '';
  if (request.body instanceof Uint8Array) {
    const start = Buffer.from(request.body.subarray(0, 32)).toString('hex');
    body = `<${request.body.length} bytes: ${start}...>`;
  } else if (request.body !== undefined) {
    body = clip(JSON.stringify(request.body), 600);
  }
  return `${request.method} ${clip(request.path, 200)} [${headers}] ${body}`;
}

function clip(text: string, most: number) {
  return text.length > most ? `${text.slice(0, most)}... (${text.length} characters)` : text;
}
