import {
  body,
  type Draft,
  type Expectation,
  FOREIGN_TODO_IDS,
  json,
  literal,
  PULLABLE,
  pullQuery,
  type Random,
} from './shared';
import { payload } from './values';

/** Nesting past the limits, too many conditions, values, aliases, fragments and operations. */
export function deepAndWideRequest(random: Random): Draft {
  const table = random.pick(PULLABLE);
  const column = random.pick(table.strings);
  switch (random.int(0, 8)) {
    case 0: {
      // Built as text: JSON.stringify itself runs out of stack on the deepest ones.
      const depth = random.chance(0.7) ? random.int(5, 60) : random.int(100, 4_000);
      const keys = Array.from({ length: depth }, () => random.pick(['and', 'or']));
      if (random.chance(0.6)) {
        const where = `${keys.map((key) => `{"${key}":[`).join('')}{"${column}":{"eq":"x"}}${']}'.repeat(depth)}`;
        const text = `{"query":${JSON.stringify(pullQuery(table))},"variables":{"where":${where}}}`;
        return { variant: 'nested and/or variable', expect: 'refused', body: text };
      }
      const where = `${keys.map((key) => `{ ${key}: [`).join('')}{ ${column}: { eq: "x" } }${' ] }'.repeat(depth)}`;
      const query = `{ ${table.pull}(where: ${where}) { cursor } }`;
      return { variant: 'nested and/or literal', expect: 'refused', body: body(query) };
    }
    case 1: {
      const conditions = Array.from({ length: random.int(101, 500) }, (_, i) => ({
        [column]: { eq: `v${i}` },
      }));
      const where = random.chance(0.5)
        ? { or: conditions }
        : { and: [{ or: conditions.slice(0, 60) }, { or: conditions.slice(60) }] };
      return {
        variant: 'too many conditions',
        expect: 'refused',
        body: body(pullQuery(table), { where }),
      };
    }
    case 2: {
      const size = random.pick([0, 1_000, random.int(1_001, 5_000), random.int(5_000, 40_000)]);
      const ints = random.chance(0.3);
      const values = Array.from({ length: size }, (_, i) => (ints ? i : `v${i}`));
      const where = { [ints ? random.pick(table.ints) : column]: { in: values } };
      const expect: Expectation = size > 1_000 ? 'refused' : 'read';
      return { variant: 'huge in list', expect, body: body(pullQuery(table), { where }) };
    }
    case 3: {
      const [field, most] = random.pick<[string, number]>([
        ['__typename', 3_000],
        [`${table.pull}(limit: 1) { cursor }`, 40],
        [`todoItem(id: ${literal(FOREIGN_TODO_IDS[0])}) { id text }`, 80],
      ]);
      const aliases = Array.from({ length: random.int(10, most) }, (_, i) => `a${i}: ${field}`);
      return { variant: 'many aliases', expect: 'read', body: body(`{ ${aliases.join(' ')} }`) };
    }
    case 4:
      return fragmentRequest(random);
    case 5:
      return manyOperationsRequest(random);
    case 6:
      return { variant: 'unknown fields', expect: 'refused', body: body(random.pick(UNKNOWN)) };
    case 7:
      return introspectionRequest(random);
    default: {
      const directives = random.pick([
        ' @skip(if: false)'.repeat(random.int(2, 500)),
        ' @include(if: "yes")',
        ' @include(if: $undefined)',
        ' @deprecated',
        ' @oneOf',
        ' @specifiedBy(url: "x")',
      ]);
      return {
        variant: 'directives',
        expect: 'refused',
        body: body(`{ __typename${directives} }`),
      };
    }
  }
}

const UNKNOWN = [
  '{ dropEverything }',
  '{ pullTodoItems { rows { password } } }',
  '{ todo_item { id } }',
  '{ pullTodoItems(orderBy: "id; drop table todo_item") { cursor } }',
  'query($x: SQL) { __typename }',
  '{ __typename @unknown }',
  '{ pullTodoItems { rows { id } cursor hasMore nope } }',
  'mutation { dropTable(name: "todo_item") }',
  'mutation { push(operations: [{ todoItem: { opId: "a", kind: INSERT, id: "b", data: { text: "c", userId: "alice" } } }]) { status } }',
];

function manyOperationsRequest(random: Random): Draft {
  const count = random.int(2, 300);
  const operations = Array.from({ length: count }, (_, i) => `query Op${i} { __typename }`);
  let [operationName, expect] = random.pick<[string | undefined, Expectation]>([
    [undefined, 'refused'],
    [`Op${random.int(0, count - 1)}`, 'read'],
    ['NoSuchOp', 'refused'],
  ]);
  if (random.chance(0.2)) {
    operations.push('query Op0 { __typename }');
    expect = 'refused';
  }
  const text = json({ query: operations.join('\n'), ...(operationName ? { operationName } : {}) });
  return { variant: 'many operations', expect, body: text };
}

function fragmentRequest(random: Random): Draft {
  switch (random.int(0, 3)) {
    case 0: {
      const length = random.int(10, 1_000);
      const chain = Array.from({ length }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`);
      const query = `{ ...F0 } ${chain.join(' ')} fragment F${length} on Query { __typename }`;
      return { variant: 'fragment chain', expect: 'read', body: body(query) };
    }
    case 1: {
      const length = random.int(2, 200);
      const cycle = Array.from(
        { length },
        (_, i) => `fragment F${i} on Query { ...F${(i + 1) % length} }`,
      );
      return {
        variant: 'fragment cycle',
        expect: 'refused',
        body: body(`{ ...F0 } ${cycle.join(' ')}`),
      };
    }
    case 2: {
      const depth = random.chance(0.7) ? random.int(10, 500) : random.int(500, 4_000);
      const query = `{ ${'... on Query { '.repeat(depth)}__typename${' }'.repeat(depth)} }`;
      return { variant: 'nested inline fragments', expect: 'read', body: body(query) };
    }
    default: {
      const query = random.pick([
        '{ ...Missing }',
        '{ ...F } fragment F on NoSuchType { id }',
        '{ ...F } fragment F on Mutation { __typename }',
        'fragment F on Query { __typename }',
      ]);
      return { variant: 'bad fragment', expect: 'refused', body: body(query) };
    }
  }
}

function introspectionRequest(random: Random): Draft {
  switch (random.int(0, 2)) {
    case 0: {
      const depth = random.int(3, 40);
      const query = `{ __schema { types { name fields { type { ${'ofType { '.repeat(depth)}name${' }'.repeat(depth)} } } } } }`;
      return { variant: 'introspection ofType depth', expect: 'read', body: body(query) };
    }
    case 1: {
      const query = 'query($name: String!) { __type(name: $name) { name fields { name } } }';
      return {
        variant: '__type(name:)',
        expect: 'read',
        body: body(query, { name: payload(random) }),
      };
    }
    default: {
      const field = '__schema { types { name fields { name args { name } } } }';
      const aliases = Array.from({ length: random.int(2, 30) }, (_, i) => `s${i}: ${field}`);
      return {
        variant: 'many __schema aliases',
        expect: 'read',
        body: body(`{ ${aliases.join(' ')} }`),
      };
    }
  }
}
