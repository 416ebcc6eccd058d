import { PULLABLE, type Random, RawJson } from './shared';

/** Hostile scalar values: SQL and odd Unicode strings, values of the wrong type, forged cursors. */

const SQL_PAYLOADS = [
  "'; drop table todo_item; --",
  "' or 1=1 --",
  "' or '1'='1",
  '" or ""="',
  '$$',
  '$1',
  '$$; delete from todo_item; $$',
  "'); update todo_item set text = 'pwned' where ('1'='1",
  "' union select * from syncline_outcome --",
  "'; select pg_sleep(5); --",
  '\\',
  "\\'",
  "\\\\'; --",
  '%',
  '_',
  '%_%',
  "E'\\x00'",
  "1'::text",
  '\u0000',
  'a\u0000b',
  ';',
  '--',
  '/*',
  '*/',
];

const ODD_TEXT = [
  '\u202e',
  '\u200b',
  '\ufeff',
  'e\u0301',
  '😀',
  '\ud83d',
  '\udc00',
  '\u{10ffff}',
  '𝕏',
  'İ',
  '\u2028',
  '\r\n',
  '\t',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '#{7*7}',
  '../../etc/passwd',
  '%00',
  '%27',
  'null',
  'undefined',
  '',
];

/** A hostile string: SQL, NUL bytes, odd Unicode, or very long. */
export function payload(random: Random): string {
  const roll = random.next();
  if (roll < 0.4) return random.pick(SQL_PAYLOADS);
  if (roll < 0.6) {
    const parts = Array.from({ length: random.int(1, 6) }, () =>
      random.pick(random.chance(0.5) ? SQL_PAYLOADS : ODD_TEXT),
    );
    return parts.join('');
  }
  if (roll < 0.75) return randomCodePoints(random, random.int(1, 40));
  if (roll < 0.85) return random.pick(SQL_PAYLOADS).repeat(random.int(50, 2_000)).slice(0, 20_000);
  return `${random.pick(ODD_TEXT)}${random.pick(SQL_PAYLOADS)}${random.pick(ODD_TEXT)}`;
}

const CODE_POINT_RANGES: readonly [number, number][] = [
  [0, 0x1f],
  [0x20, 0x7e],
  [0x80, 0x2ff],
  [0x300, 0x36f],
  [0xd800, 0xdfff],
  [0xfff0, 0xffff],
  [0x1f600, 0x1f64f],
  [0x10fff0, 0x10ffff],
];

function randomCodePoints(random: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    const [low, high] = random.pick(CODE_POINT_RANGES);
    text += String.fromCodePoint(random.int(low, high));
  }
  return text;
}

/** Printable ASCII only: what a header value can carry. */
export function headerPayload(random: Random): string {
  const text = payload(random)
    .replace(/[^\x21-\x7e]/g, '')
    .slice(0, 200);
  return text || "'or'1'='1";
}

/** Values of the wrong type for an Int, ID, String, Boolean, enum or input object. */
export function wrongValue(random: Random): unknown {
  return random.pick<unknown>([
    '42',
    '-1',
    '1e3',
    'NaN',
    'Infinity',
    'true',
    '',
    ' ',
    '0x10',
    '１２',
    new RawJson('9223372036854775807'),
    new RawJson('-9223372036854775808'),
    new RawJson('18446744073709551616'),
    new RawJson('1e400'),
    new RawJson('-0'),
    new RawJson('4.0'),
    new RawJson('0.0000001'),
    new RawJson('{"__proto__": {"polluted": true}}'),
    new RawJson('{"constructor": {"prototype": {"polluted": true}}}'),
    2_147_483_648,
    -2_147_483_649,
    2 ** 53,
    -1,
    0,
    1.5,
    {},
    { id: 'fuzz' },
    { $ne: null },
    [],
    [1],
    [[]],
    ['x'],
    true,
    false,
    null,
  ]);
}

export const WRONG_ENUMS = [
  'insert',
  'UPSERT',
  'INSERT ',
  'Insert',
  'APPLIED',
  'ＩＮＳＥＲＴ',
  '',
  'DROP',
];

/** DateTimes at and past the edges of what JavaScript and Postgres can hold. */
export const ODD_DATES = [
  '0000-01-01T00:00Z',
  '0001-01-01T00:00+14:00',
  '9999-12-31T23:59:59-14:00',
  '1970-01-01T00:00Z',
  '2026-02-30T00:00Z',
  '2026-05-01T08:30:00.123456789+00:00',
  '2026-05-01',
  '2026-05-01T08:30:00',
  '+275760-09-13T00:00:00Z',
  '2026-13-45T99:99Z',
  'yesterday',
];

const POSITIONS = [
  '0',
  '1',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999',
  '-1',
  '',
];

/** Cursors a client never got: garbage, other tables', positions out of range. */
export function forgedCursor(random: Random): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  switch (random.int(0, 4)) {
    case 0:
      return payload(random);
    case 1:
      return b64(payload(random));
    case 2:
      return b64(
        `c1:${random.pick(PULLABLE).name}:${random.pick(POSITIONS)}:${random.pick(POSITIONS)}`,
      );
    case 3:
      return b64(`c1:${payload(random)}:1:1`);
    default:
      return random.pick([
        '',
        'YzE6',
        'c1:todoItem:1:1',
        'YzE6dG9kb0l0ZW06MTox'.repeat(20),
        '====',
      ]);
  }
}
