import type { TestGateway } from './gateway-client';

export const TODO_FIELDS = 'id version text complete dueDate userId deleted createdAt updatedAt';

export interface PushResult {
  opId: string | null;
  status: string;
  code: string | null;
  message: string | null;
  row: Record<string, unknown> | null;
}

const PUSH = `mutation Push($operations: [PushOperation!]!) {
  push(operations: $operations) {
    opId status code message
    row {
      __typename
      ... on TodoItem { ${TODO_FIELDS} }
      ... on VehicleModel { id version accoladeCount }
      ... on VehicleManufacturer { id version name }
      ... on VehicleModelUpdate { id version vehicleModelId accoladeCount userId }
    }
  }
}`;

/** Pushes operations, given as `{ table: { opId, kind, id, version, data } }`. */
export async function push(gateway: TestGateway, operations: object[], user = 'alice') {
  const result = await gateway.data<{ push: PushResult[] }>(PUSH, { operations }, user);
  return result.push;
}

export async function pushRaw(gateway: TestGateway, operations: unknown, user = 'alice') {
  return gateway.graphql<{ push: PushResult[] }>(PUSH, { operations }, user);
}

let counter = 0;
/** A fresh opId, as a client makes when the change happens. */
export const newOpId = () =>
  `op-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

export const todo = (kind: 'INSERT' | 'UPDATE' | 'DELETE', id: string, extra: object = {}) => ({
  todoItem: { opId: newOpId(), kind, id, ...extra },
});

export interface Page {
  rows: Record<string, unknown>[];
  cursor: string;
  hasMore: boolean;
  /** Ids of rows that left the query since `after`. */
  movedOut: string[];
}

/** One page of `pull<Table>s`. */
export async function pullPage(
  gateway: TestGateway,
  field: string,
  variables: { after?: string | null; limit?: number; where?: object },
  fields = TODO_FIELDS,
  user = 'alice',
) {
  const query = `query Pull($after: Cursor, $limit: Int, $where: ${whereType(field)}) {
    ${field}(after: $after, limit: $limit, where: $where) {
      rows { ${fields} } cursor hasMore movedOut
    }
  }`;
  const result = await gateway.data<Record<string, Page>>(query, variables, user);
  return result[field] as Page;
}

function whereType(field: string) {
  return `${field.replace(/^pull/, '').replace(/s$/, '')}Where`;
}

/** Pulls every page after `after`; returns all rows, all moved-out ids and the last cursor. */
export async function pullAll(
  gateway: TestGateway,
  field: string,
  after: string | null = null,
  options: { limit?: number; where?: object; fields?: string; user?: string } = {},
) {
  const rows: Record<string, unknown>[] = [];
  const movedOut: string[] = [];
  let cursor = after;
  for (;;) {
    const variables = {
      after: cursor,
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.where ? { where: options.where } : {}),
    };
    const page = await pullPage(gateway, field, variables, options.fields, options.user);
    rows.push(...page.rows);
    movedOut.push(...page.movedOut);
    cursor = page.cursor;
    if (!page.hasMore) return { rows, movedOut, cursor };
  }
}
