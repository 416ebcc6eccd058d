import {
  asOperation,
  harmlessOperation,
  MUTATION_NAMES,
  MUTATIONS,
  type OperationTemplate,
  setField,
} from './operations';
import {
  body,
  type Draft,
  type Expectation,
  PULLABLE,
  PUSH,
  type Pullable,
  pullQuery,
  type Random,
} from './shared';
import { ODD_DATES, WRONG_ENUMS, wrongValue } from './values';

/** Variables of the wrong type for pulls, lookups, push and the per-table mutations. */
export function wrongTypesRequest(random: Random): Draft {
  switch (random.int(0, 5)) {
    case 0: {
      // One hostile variable at a time, so that it is not hidden behind another one's error.
      const table = random.pick(PULLABLE);
      const [name, value] = random.pick<[string, unknown]>([
        ['after', wrongValue(random)],
        ['limit', wrongValue(random)],
        ['limit', random.pick([0, -1, -2_147_483_648, 1_001, 2_147_483_647])],
        ['where', wrongValue(random)],
        ['where', wrongWhere(random, table)],
        ['where', wrongWhere(random, table)],
      ]);
      return {
        variant: `pull ${name}`,
        expect: 'read',
        body: body(pullQuery(table), { [name]: value }),
      };
    }
    case 5: {
      // DateTimes JavaScript accepts and Postgres may not: year 0, past year 9999 in UTC.
      const table = random.pick(PULLABLE);
      const op = random.pick(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in']);
      const date = random.pick(ODD_DATES);
      const where = { [random.pick(table.dates)]: { [op]: op === 'in' ? [date] : date } };
      return {
        variant: 'pull DateTime edge',
        expect: 'read',
        body: body(pullQuery(table), { where }),
      };
    }
    case 1:
      return mismatchedDeclaration(random);
    case 2: {
      const field = random.pick([
        'todoItem(id: $id) { id text userId }',
        'vehicleModel(id: $id) { id }',
      ]);
      const query = `query($id: ID!) { ${field} }`;
      return {
        variant: 'lookup id',
        expect: 'read',
        body: body(query, { id: wrongValue(random) }),
      };
    }
    case 3:
      return wrongPushRequest(random);
    default: {
      const name = random.pick(MUTATION_NAMES);
      const mutation = MUTATIONS[name];
      const variables: Record<string, unknown> = mutation.variables();
      setField(variables, random.pick(mutation.mutable), wrongValue(random));
      return {
        variant: `${name} variables`,
        expect: 'no-write',
        body: body(mutation.query, variables),
      };
    }
  }
}

function mismatchedDeclaration(random: Random): Draft {
  const table = random.pick(PULLABLE);
  const [declared, argument] = random.pick([
    ['$limit: String', 'limit: $limit'],
    ['$limit: Float', 'limit: $limit'],
    ['$after: String', 'after: $after'],
    ['$where: String', 'where: $where'],
    ['$where: TodoItemWhere', 'where: $where'],
    ['$limit: Int!', 'limit: $limit'],
    ['$limit: [Int]', 'limit: $limit'],
    ['$limit: NoSuchType', 'limit: $limit'],
  ]);
  const query = `query(${declared}) { ${table.pull}(${argument}) { cursor } }`;
  // `$where: TodoItemWhere` is the right type on todoItem; everything else fails validation.
  const fits = declared === '$where: TodoItemWhere' && table.name === 'todoItem';
  const expect: Expectation = fits ? 'read' : 'refused';
  return { variant: 'mismatched variable declaration', expect, body: body(query, {}) };
}

function wrongWhere(random: Random, table: Pullable): unknown {
  const string = random.pick(table.strings);
  const int = random.pick(table.ints);
  const date = random.pick(table.dates);
  return random.pick<unknown>([
    { [string]: { eq: wrongValue(random) } },
    { [string]: wrongValue(random) },
    { [string]: { in: wrongValue(random) } },
    { [string]: { contains: [] } },
    { [int]: { eq: wrongValue(random) } },
    { [int]: { in: ['1', 2] } },
    { [int]: { gt: 2 ** 31 } },
    { [int]: { contains: '1' } },
    { [date]: { gt: random.pick(ODD_DATES) } },
    { [date]: { in: [random.pick(ODD_DATES), random.pick(ODD_DATES)] } },
    { deleted: { eq: true } },
    { userId: { eq: 'alice' } },
    { and: { [string]: { eq: 'x' } }, or: [null] },
    { or: wrongValue(random) },
    { [string]: { eq: 'x', isNull: 'yes' } },
    { nope: {} },
  ]);
}

function wrongPushRequest(random: Random): Draft {
  const templates = Array.from({ length: random.int(1, 5) }, () => harmlessOperation(random));
  const operations: unknown[] = templates.map(asOperation);
  const target = random.int(0, templates.length - 1);
  const template = templates[target] as OperationTemplate;
  switch (random.int(0, 3)) {
    case 0: {
      const field = random.pick(template.mutable.filter((each) => each !== 'kind'));
      setField(template.op, field, wrongValue(random));
      return {
        variant: 'push operation field',
        expect: 'no-write',
        body: body(PUSH, { operations }),
      };
    }
    case 1:
      setField(template.op, 'kind', random.pick<unknown>([...WRONG_ENUMS, wrongValue(random)]));
      return { variant: 'push wrong enum', expect: 'refused', body: body(PUSH, { operations }) };
    case 2: {
      const both = { ...asOperation(template), ...asOperation(harmlessOperation(random)) };
      const broken = random.pick<unknown>([
        {},
        both,
        { [template.table]: null },
        { todoItem: null, vehicleModel: null },
        wrongValue(random),
      ]);
      operations[target] = broken;
      // Two operations on the same table merge into one valid, harmless operation.
      const entries = typeof broken === 'object' && broken !== null ? Object.entries(broken) : [];
      const valid = entries.length === 1 && entries[0]?.[1] !== null && !Array.isArray(broken);
      const expect: Expectation = valid ? 'no-write' : 'refused';
      return { variant: '@oneOf violation', expect, body: body(PUSH, { operations }) };
    }
    default: {
      const wrong = random.pick<unknown>(['x', 5, null, [null], { todoItem: 5 }, [[]]]);
      return {
        variant: 'push operations type',
        expect: 'refused',
        body: body(PUSH, { operations: wrong }),
      };
    }
  }
}
