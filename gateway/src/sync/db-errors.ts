import type { RejectionCode } from '@syncline/schema';
import type { ServedTable } from './tables';

interface PgErrorFields {
  code: string;
  message: string;
  detail?: string;
  column?: string;
  column_name?: string;
  constraint?: string;
  constraint_name?: string;
}

/** Finds the Postgres error behind a Drizzle or driver error, if there is one. */
function findPgError(error: unknown): PgErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as PgErrorFields;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The SQLSTATEs of a transaction that failed only because of others running at the same
 * time: a deadlock, a serialization failure. Rolled back and run again, it may well succeed.
 * Nothing else is retried: after a lost connection, for one, the commit may have happened.
 */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

/** The SQLSTATE behind `error` when running its transaction again may succeed; else undefined. */
export function retryableSqlState(error: unknown): string | undefined {
  const code = findPgError(error)?.code;
  return code !== undefined && RETRYABLE_SQLSTATES.has(code) ? code : undefined;
}

/**
 * Turns a data error from Postgres into a rejection a developer can act on, naming the
 * field; undefined for anything that is not the data's fault (those fail the request).
 */
export function rejectionFor(
  error: unknown,
  served: ServedTable,
  prefix: string,
): { code: RejectionCode; message: string } | undefined {
  const pg = findPgError(error);
  if (!pg) return undefined;
  const column = pg.column ?? pg.column_name;
  const fields = (column ? [column] : keysInDetail(pg.detail)).map((name) => fieldOf(served, name));
  const where = fields.length === 1 && fields[0] ? `${prefix}.${fields[0]}` : prefix;
  const together = fields.length > 1 ? ` (${fields.join(', ')} together)` : '';
  const constraint = pg.constraint ?? pg.constraint_name;
  const rule = constraint ? `the rule ${constraint}` : 'a rule of the table';
  switch (pg.code) {
    case '23502':
      return { code: 'INVALID', message: `${where}: cannot be null` };
    case '23503':
      return {
        code: 'CONSTRAINT',
        message: `${where}: refers to a row that does not exist${together}`,
      };
    case '23505':
      return {
        code: 'CONSTRAINT',
        message: `${where}: another row already has this value${together}`,
      };
    case '23514':
    case '23P01':
      return { code: 'CONSTRAINT', message: `${where}: the values break ${rule}` };
  }
  // Class 22, data exceptions (out of range, too long, malformed): Postgres says which.
  if (pg.code.startsWith('22')) return { code: 'INVALID', message: `${where}: ${pg.message}` };
  return undefined;
}

/** The columns of a key violation: `Key (user_id, text)=(...) already exists.` */
function keysInDetail(detail: string | undefined): string[] {
  return detail?.match(/^Key \(([a-z0-9_, ]+)\)=/)?.[1]?.split(', ') ?? [];
}

function fieldOf(served: ServedTable, sqlColumn: string): string {
  return (
    Object.entries(served.columns).find(([, column]) => column.name === sqlColumn)?.[0] ?? sqlColumn
  );
}
