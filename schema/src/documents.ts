import type { TableDescription } from './describe-table';
import { tableNames } from './protocol';

/*
 * The GraphQL documents a Syncline client sends, in one place: the client's transport sends
 * them, the benchmark sends them as the client would, and the gateway's compiled-pull fast
 * path is tested against them (a pull that changes here and stops being plain enough for it
 * would otherwise fall back to the slow path without a word).
 */

/**
 * The documents' operation names, so that logs, proxies and tests can tell the client's
 * requests apart. Written out in the documents too, so that they are plain literals in a bundle.
 */
export const PULL_OPERATION = 'SynclinePull';
export const PUSH_OPERATION = 'SynclinePush';
export const CHANGES_OPERATION = 'SynclineChanges';
export const PROBE_OPERATION = 'SynclineProbe';

/**
 * The pull query of one table: up to `$pages` pages in one request, each selecting every
 * field a client sees, and `movedOut`.
 */
export function pullDocument(table: TableDescription): string {
  const names = tableNames(table.name);
  return (
    `query SynclinePull($after: Cursor, $limit: Int, $pages: Int, $where: ${names.type}Where) ` +
    `{ ${names.pullPages}(after: $after, limit: $limit, pages: $pages, where: $where) ` +
    `{ rows @stream { ${table.fields.join(' ')} } cursor hasMore movedOut } }`
  );
}

/** The push mutation, with the row of every table in the `SyncRow` union. */
export function pushDocument(tables: readonly TableDescription[]): string {
  const rows = tables
    .map((table) => ` ... on ${tableNames(table.name).type} { ${table.fields.join(' ')} }`)
    .join('');
  return (
    'mutation SynclinePush($operations: [PushOperation!]!) ' +
    `{ push(operations: $operations) { opId status code message row { __typename${rows} } } }`
  );
}

/** The change hints subscription (server-sent events). */
export const CHANGES_DOCUMENT = 'subscription SynclineChanges { changes { table cursor } }';

/** Whether the gateway answers at all: the cheapest query there is. */
export const PROBE_DOCUMENT = 'query SynclineProbe { __typename }';
