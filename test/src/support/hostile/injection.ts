import { TEST_USER_HEADER } from '../gateway-client';
import { asOperation, harmlessOperation, MUTATION_NAMES, MUTATIONS, setField } from './operations';
import {
  body,
  type Draft,
  json,
  literal,
  PULLABLE,
  PUSH,
  type Pullable,
  pullQuery,
  type Random,
} from './shared';
import { forgedCursor, headerPayload, payload } from './values';

/** SQL, NUL bytes, odd Unicode and very long strings wherever a request carries a string. */
export function injectionRequest(random: Random): Draft {
  const text = payload(random);
  switch (random.int(0, 7)) {
    case 0:
      return filterRequest(random, text);
    case 1: {
      const lookup = random.pick(['todoItem', 'vehicleModel', 'vehicleManufacturer']);
      const query = `query($id: ID!) { ${lookup}(id: $id) { id } }`;
      return { variant: 'lookup id', expect: 'read', body: body(query, { id: text }) };
    }
    case 2: {
      const variables = { after: forgedCursor(random) };
      return {
        variant: 'cursor',
        expect: 'read',
        body: body(pullQuery(random.pick(PULLABLE)), variables),
      };
    }
    case 3: {
      const templates = Array.from({ length: random.int(1, 4) }, () => harmlessOperation(random));
      templates.forEach((template, i) => {
        if (i === 0 || random.chance(0.6)) {
          setField(template.op, random.pick(template.strings), i === 0 ? text : payload(random));
        }
      });
      const variables = { operations: templates.map(asOperation) };
      return { variant: 'push ids and data', expect: 'no-write', body: body(PUSH, variables) };
    }
    case 4: {
      const name = random.pick(MUTATION_NAMES);
      const mutation = MUTATIONS[name];
      const variables: Record<string, unknown> = mutation.variables();
      setField(variables, random.pick(mutation.strings), text);
      return {
        variant: `${name} strings`,
        expect: 'no-write',
        body: body(mutation.query, variables),
      };
    }
    case 5: {
      // Never only names of pullable tables: a valid subscription would stay open.
      const others = Array.from({ length: random.int(0, 3) }, () =>
        random.chance(0.5) ? random.pick(PULLABLE).name : payload(random),
      );
      const tables = [...others, text].filter((name) => !PULLABLE.some((t) => t.name === name));
      const query =
        'subscription($tables: [String!]) { changes(tables: $tables) { table cursor } }';
      const headers = random.chance(0.3) ? { accept: 'text/event-stream' } : {};
      const variables = { tables: tables.length ? [...others, text] : [...others, "todo_item'"] };
      return {
        variant: 'changes(tables:)',
        expect: 'refused',
        body: body(query, variables),
        headers,
      };
    }
    case 6: {
      if (random.chance(0.5)) {
        const named = json({ query: 'query Named { __typename }', operationName: text });
        return { variant: 'operationName', expect: 'refused', body: named };
      }
      const raw = random.pick([
        `{ todoItem(id: "${text}") { id text userId } }`,
        `{ pullTodoItems(where: { text: { eq: "${text}" } }) { rows { id text userId } } }`,
        `{ ${text} }`,
        `query ${text} { __typename }`,
      ]);
      return { variant: 'raw query text', expect: 'read', body: body(raw) };
    }
    default: {
      // Another user id (the test authenticator believes the header): still none of alice's rows.
      const headers = { [TEST_USER_HEADER]: headerPayload(random) };
      return {
        variant: 'user header',
        expect: 'read',
        body: body(pullQuery(PULLABLE[0] as Pullable)),
        headers,
      };
    }
  }
}

function filterRequest(random: Random, text: string): Draft {
  const table = random.pick(PULLABLE);
  const column = random.pick(table.strings);
  const op = random.pick(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'contains', 'in']);
  const value = op === 'in' ? [text, payload(random)] : text;
  if (random.chance(0.7)) {
    const variables = { where: { [column]: { [op]: value } } };
    return { variant: 'filter value', expect: 'read', body: body(pullQuery(table), variables) };
  }
  const printed = Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : literal(value);
  const query = `{ ${table.pull}(where: { ${column}: { ${op}: ${printed} } }) { rows { ${table.rows} } cursor } }`;
  return { variant: 'filter literal', expect: 'read', body: body(query) };
}
