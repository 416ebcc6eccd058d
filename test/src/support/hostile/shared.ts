/** What every hostile-request generator shares: randomness, fixtures and GraphQL documents. */

/** Who sends the fuzz requests. Owns no rows, before or after. */
export const FUZZ_USER = 'mallory-fuzz';
/** In the text of every row seeded for other users: must never reach the fuzz user. */
export const SECRET = 'secret-of-another-user';
/** Rows of alice and bob (live, deleted, live): the fuzz user may aim at them, never reach them. */
export const FOREIGN_TODO_IDS = ['fuzz-alice-live', 'fuzz-alice-gone', 'fuzz-bob-live'] as const;

/** `read`: may succeed. `refused`: must be answered with an error. `no-write`: outcomes only CONFLICT or REJECTED. */
export type Expectation = 'read' | 'refused' | 'no-write';

/** A request as a generator makes it; `generateRequest` fills in the defaults. */
export interface Draft {
  /** Which generator case made it, for failure reports. */
  variant: string;
  expect: Expectation;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** mulberry32: small, fast and good enough to spread test cases. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (probability) => next() < probability,
  };
}

/** JSON text put into a body as is: 64-bit integers, 1e400, -0, `__proto__` keys. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify that writes RawJson values as they are. */
export function json(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, each: unknown) => {
    if (!(each instanceof RawJson)) return each;
    raws.push(each.text);
    return `@@raw${raws.length - 1}@@`;
  });
  return text.replace(/"@@raw(\d+)@@"/g, (_match, at: string) => raws[Number(at)] ?? 'null');
}

export const body = (query: string, variables?: Record<string, unknown>) =>
  json(variables ? { query, variables } : { query });

/** A GraphQL string literal; JSON's escapes are GraphQL's. */
export const literal = (value: string) => JSON.stringify(value);

export interface Pullable {
  name: string;
  type: string;
  pull: string;
  rows: string;
  strings: readonly string[];
  ints: readonly string[];
  dates: readonly string[];
}

export const PULLABLE: readonly Pullable[] = [
  {
    name: 'todoItem',
    type: 'TodoItem',
    pull: 'pullTodoItems',
    rows: 'id version text userId deleted',
    strings: ['id', 'text'],
    ints: ['version'],
    dates: ['createdAt', 'updatedAt', 'dueDate'],
  },
  {
    name: 'vehicleModel',
    type: 'VehicleModel',
    pull: 'pullVehicleModels',
    rows: 'id name year accoladeCount',
    strings: ['id', 'name', 'manufacturerId'],
    ints: ['version', 'year', 'accoladeCount'],
    dates: ['createdAt', 'updatedAt'],
  },
  {
    name: 'vehicleManufacturer',
    type: 'VehicleManufacturer',
    pull: 'pullVehicleManufacturers',
    rows: 'id name country',
    strings: ['id', 'name', 'country'],
    ints: ['version'],
    dates: ['createdAt', 'updatedAt'],
  },
];

export const pullQuery = (table: Pullable) =>
  `query Pull($after: Cursor, $limit: Int, $where: ${table.type}Where) { ${table.pull}(after: $after, limit: $limit, where: $where) { rows { ${table.rows} } cursor hasMore } }`;

export const PUSH =
  'mutation Push($operations: [PushOperation!]!) { push(operations: $operations) { opId status code message row { __typename ... on TodoItem { id text userId } ... on VehicleModelUpdate { id userId } } } }';

/** Queries that read and succeed, to wrap in hostile envelopes. */
export const READ_QUERIES = [
  '{ __typename }',
  '{ pullTodoItems { rows { id text userId } cursor hasMore } }',
  '{ pullVehicleModels(limit: 3) { rows { id name } cursor } }',
  `{ todoItem(id: ${literal(FOREIGN_TODO_IDS[0])}) { id text userId } }`,
  'query Named { vehicleManufacturer(id: "mf-volvo") { id name } }',
];
