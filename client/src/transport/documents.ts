import { type TableDescription, tableNames } from '@syncline/schema';

/** The pull query of one table, selecting every field a client sees. */
export function pullDocument(table: TableDescription): string {
  const names = tableNames(table.name);
  return `query SynclinePull($after: Cursor, $limit: Int, $where: ${names.type}Where) {
  ${names.pull}(after: $after, limit: $limit, where: $where) {
    rows { ${table.fields.join(' ')} }
    cursor
    hasMore
    movedOut
  }
}`;
}

/** The push mutation, with the row of every table in the `SyncRow` union. */
export function pushDocument(tables: readonly TableDescription[]): string {
  const fragments = tables
    .map((table) => `... on ${tableNames(table.name).type} { ${table.fields.join(' ')} }`)
    .join('\n      ');
  return `mutation SynclinePush($operations: [PushOperation!]!) {
  push(operations: $operations) {
    opId
    status
    code
    message
    row {
      __typename
      ${fragments}
    }
  }
}`;
}
