import type { RejectionCode } from '@syncline/schema';
import type { ServedTable } from './tables';

interface PgErrorFields {
  code: string;
  message: string;
  detail?: string;
  column?: string;
  column_name?: string;
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
  const field = fieldOf(served, pg.column ?? pg.column_name ?? keyInDetail(pg.detail));
  const where = field ? `${prefix}.${field}` : prefix;
  switch (pg.code) {
    case '23502':
      return { code: 'INVALID', message: `${where}: cannot be null` };
    case '23503':
      return { code: 'CONSTRAINT', message: `${where}: refers to a row that does not exist` };
    case '23505':
      return { code: 'CONSTRAINT', message: `${where}: another row already has this value` };
    case '23514':
    case '23P01':
      return { code: 'CONSTRAINT', message: `${where}: the value breaks a rule of the table` };
  }
  // Class 22, data exceptions (out of range, too long, malformed): Postgres says which.
  if (pg.code.startsWith('22')) return { code: 'INVALID', message: `${where}: ${pg.message}` };
  return undefined;
}

function keyInDetail(detail: string | undefined): string | undefined {
  return detail?.match(/^Key \(([a-z0-9_]+)\)/)?.[1];
}

function fieldOf(served: ServedTable, sqlColumn: string | undefined): string | undefined {
  if (!sqlColumn) return undefined;
  return Object.entries(served.columns).find(([, column]) => column.name === sqlColumn)?.[0];
}
