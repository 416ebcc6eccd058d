import { REJECTED_TOKEN } from '../gateway-client';
import { body, type Draft, type Expectation, json, type Random, READ_QUERIES } from './shared';
import { headerPayload } from './values';

/** Yoga's CSRF header: a program sends it, a form or a link on another site cannot. */
const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** Most odd requests carry it, so that they get past CSRF prevention to the parser behind it. */
const csrf = (random: Random): Record<string, string> =>
  random.chance(0.75) ? { [CSRF_HEADER]: 'fuzz' } : {};

/** Bodies, content types, methods, paths and headers that are not a GraphQL request. */
export function malformedRequest(random: Random): Draft {
  const query = random.pick(READ_QUERIES);
  const read = body(query);
  switch (random.int(0, 12)) {
    case 0:
      return {
        variant: 'truncated JSON',
        expect: 'refused',
        body: read.slice(0, random.int(0, read.length - 1)),
      };
    case 1:
      return { variant: 'invalid JSON', expect: 'refused', body: random.pick(INVALID_JSON) };
    case 2:
      return {
        variant: 'wrong top-level type',
        expect: 'refused',
        body: random.pick([
          '42',
          '"{ __typename }"',
          'null',
          'true',
          '[]',
          `[${read}]`,
          `[${read},${read}]`,
        ]),
      };
    case 3:
      return { variant: 'missing query', expect: 'refused', body: random.pick(WITHOUT_QUERY) };
    case 4: {
      const [field, value] = random.pick(WRONG_PARAMETERS);
      return {
        variant: `wrong ${field} type`,
        expect: 'refused',
        body: json({ query, [field]: value }),
      };
    }
    case 5:
      return hugeStringRequest(random);
    case 6: {
      const bytes = new Uint8Array(random.int(1, 4_096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(0, 255);
      const type = random.pick(['application/json', 'application/octet-stream', 'text/plain']);
      return {
        variant: 'binary garbage',
        expect: 'refused',
        body: bytes,
        headers: { 'content-type': type },
      };
    }
    case 7:
      return contentTypeRequest(random, query);
    case 8: {
      const type = random.pick([
        'application/json',
        'text/plain',
        'application/graphql',
        'multipart/form-data',
      ]);
      return {
        variant: 'empty body',
        expect: 'refused',
        body: '',
        headers: { 'content-type': type },
      };
    }
    case 9:
      return oddGetRequest(random, query);
    case 10: {
      const method = random.pick(['PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
      const expect = method === 'OPTIONS' ? 'read' : 'refused';
      return { variant: `${method} request`, expect, method, body: read };
    }
    case 11:
      return {
        variant: 'odd accept',
        expect: 'read',
        body: read,
        headers: { accept: random.pick(ACCEPTS) },
      };
    default:
      return random.chance(0.5)
        ? { variant: 'odd path', expect: 'read', path: random.pick(PATHS), body: read }
        : oddAuthorization(random, read);
  }
}

const INVALID_JSON = [
  "{query: '{ __typename }'}",
  "{'query': '{ __typename }'}",
  '{"query": "{ __typename }",}',
  '{"query": "{ __typename }" /* comment */}',
  '{"query": "\\x41"}',
  '{"query": NaN}',
  '{"query": undefined}',
  '{"query": "{ __typename }"',
  '{"query": "unterminated}',
  '{"query": "{ __typename }"} {}',
  '{"query": "{ __typename }"}]',
  `{"a": ${'['.repeat(20_000)}`,
  '\u0000',
  '{"query": "{ __typename }"\u0000}',
];

const WITHOUT_QUERY = [
  '{}',
  '{"variables": {}}',
  '{"operationName": "Named"}',
  '{"query": null}',
  '{"query": ""}',
  '{"query": "   "}',
  '{"query": 5}',
  '{"query": {}}',
  '{"query": ["{ __typename }"]}',
  '{"query": true}',
  '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
];

const WRONG_PARAMETERS: readonly [string, unknown][] = [
  ['variables', 'x'],
  ['variables', []],
  ['variables', 5],
  ['variables', true],
  ['operationName', {}],
  ['operationName', 5],
  ['operationName', []],
  ['operationName', 'NoSuchOperation'],
  ['extensions', 'x'],
  ['extensions', []],
  ['extensions', 5],
];

const ACCEPTS = [
  'application/xml',
  'text/event-stream',
  'multipart/mixed',
  'application/graphql-response+json',
  '*/*',
  'image/png',
  'application/json;q=0',
  'text/event-stream, application/json',
  '',
];

const PATHS = [
  '/graphql/',
  '/graphql?',
  '/graphql?x=1',
  '/GRAPHQL',
  '//graphql',
  '/unknown',
  '/graphql%00',
  '/graphql/../graphql',
];

function oddAuthorization(random: Random, read: string): Draft {
  const authorization = random.pick([
    `Bearer ${REJECTED_TOKEN}`,
    'Basic Zm9vOmJhcg==',
    'Bearer',
    `Bearer ${headerPayload(random)}`,
  ]);
  const expect = authorization.endsWith(REJECTED_TOKEN) ? 'refused' : 'read';
  return { variant: 'odd authorization', expect, body: read, headers: { authorization } };
}

function hugeStringRequest(random: Random): Draft {
  const size = random.int(10_000, 300_000);
  const filler = random.pick(['x', ' ', 'é', '😀', '\\u0000']).repeat(size).slice(0, size);
  switch (random.int(0, 4)) {
    case 0:
      return {
        variant: 'huge whitespace',
        expect: 'read',
        body: body(`{ __typename ${' '.repeat(size)} }`),
      };
    case 1:
      return { variant: 'huge comment', expect: 'read', body: body(`# ${filler}\n{ __typename }`) };
    case 2:
      return {
        variant: 'huge field name',
        expect: 'refused',
        body: body(`{ ${'a'.repeat(size)} }`),
      };
    case 3: {
      const query = 'query($id: ID!) { todoItem(id: $id) { id } }';
      return { variant: 'huge string argument', expect: 'read', body: body(query, { id: filler }) };
    }
    default: {
      const text = json({ query: '{ __typename }', operationName: filler });
      return { variant: 'huge operationName', expect: 'refused', body: text };
    }
  }
}

const CONTENT_TYPES = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'multipart/form-data',
  'multipart/form-data; boundary=fuzz',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/JSON',
  'application/json;;',
  'application/json, text/plain',
  'application/graphql-response+json',
  '*/*',
  '',
];

/** A read sent with a content type that does not fit it, or in that type's own encoding. */
function contentTypeRequest(random: Random, query: string): Draft {
  const type = random.pick(CONTENT_TYPES);
  let content = body(query);
  if (type === 'application/graphql') content = query;
  if (type === 'application/x-www-form-urlencoded' && random.chance(0.7)) {
    content = `query=${encodeURIComponent(query)}`;
  }
  if (type === 'multipart/form-data; boundary=fuzz' && random.chance(0.7)) {
    content = `--fuzz\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${content}\r\n--fuzz--`;
  }
  return {
    variant: 'wrong content type',
    expect: 'read',
    body: content,
    headers: { 'content-type': type, ...csrf(random) },
  };
}

function oddGetRequest(random: Random, query: string): Draft {
  const q = encodeURIComponent(query);
  const mutation = encodeURIComponent('mutation { push(operations: []) { status } }');
  const subscription = encodeURIComponent('subscription { changes(tables: ["nope"]) { table } }');
  const wide = encodeURIComponent(`{ ${'__typename '.repeat(random.int(100, 1_000))}}`);
  const [search, expect] = random.pick<[string, Expectation]>([
    ['', 'refused'],
    ['?query=', 'refused'],
    ['?query=%ZZ', 'refused'],
    ['?query=%00', 'refused'],
    [`?query=${q}&variables=%7B`, 'refused'],
    [`?query=${q}&variables=%5B1%5D`, 'refused'],
    [`?query=${q}&variables=null`, 'read'],
    [`?query=${q}&extensions=%5B`, 'refused'],
    [`?query=${q}&operationName=%00`, 'refused'],
    [`?query=${q}&query=${q}`, 'read'],
    [`?query=${mutation}`, 'refused'],
    [`?query=${subscription}`, 'refused'],
    [`?query=${wide}`, 'read'],
    [`?${'&'.repeat(random.int(1, 500))}query=${q}`, 'read'],
  ]);
  const headers = {
    ...(random.chance(0.5) ? { accept: 'application/json' } : {}),
    ...csrf(random),
  };
  return {
    variant: 'GET with odd query string',
    expect,
    method: 'GET',
    path: `/graphql${search}`,
    headers,
  };
}
