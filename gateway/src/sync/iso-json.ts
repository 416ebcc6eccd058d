/** The bytes of a timestamp's JSON: `"YYYY-MM-DDTHH:MM:SS.sssZ"`, quotes included. */
export const ISO_JSON_BYTES = 26;

/** The instants `toISOString()` writes with a four-digit year: 0001-01-01 up to 10000-01-01. */
const FIRST_MS = -62_135_596_800_000;
const END_MS = 253_402_300_800_000;
const DAY_MS = 86_400_000;

/** Whether `ms` (since the epoch) has the four-digit form `toISOString()` gives it. */
export function hasIsoJson(ms: number): boolean {
  return ms >= FIRST_MS && ms < END_MS;
}

const QUOTE = 0x22;
const ZERO = 0x30;

/**
 * Writes the instant `ms` (milliseconds since the epoch, an integer for which `hasIsoJson`)
 * into `target` at `at` as the JSON string `toISOString()` makes of it, in UTC with
 * milliseconds: what GraphQL's `DateTime` answers. Answers the offset after it.
 * (Days to a civil date: Howard Hinnant's `civil_from_days`.)
 */
export function writeIsoJson(ms: number, target: Uint8Array, at: number): number {
  // In 32-bit integers from here on (V8 computes them as such; a double's % is a call).
  const days = Math.floor(ms / DAY_MS) | 0;
  let time = (ms - days * DAY_MS) | 0;
  if (days !== lastDay.days) civilDay(days);
  target[at] = QUOTE;
  const date = lastDay.digits;
  for (let index = 0; index < 10; index++) target[at + 1 + index] = date[index] as number;
  target[at + 11] = 0x54; // T
  const millis = time % 1_000;
  time = ((time - millis) / 1_000) | 0;
  const seconds = time % 60;
  time = ((time - seconds) / 60) | 0;
  const minutes = time % 60;
  twoDigits(target, at + 12, ((time - minutes) / 60) | 0);
  target[at + 14] = 0x3a; // :
  twoDigits(target, at + 15, minutes);
  target[at + 17] = 0x3a;
  twoDigits(target, at + 18, seconds);
  target[at + 20] = 0x2e; // .
  target[at + 21] = ZERO + ((millis / 100) | 0);
  target[at + 22] = ZERO + (((millis / 10) | 0) % 10);
  target[at + 23] = ZERO + (millis % 10);
  target[at + 24] = 0x5a; // Z
  target[at + 25] = QUOTE;
  return at + ISO_JSON_BYTES;
}

/**
 * The day last written, as `YYYY-MM-DD`: rows read together were mostly written on the
 * same days, and the date is most of the work.
 */
const lastDay = { days: Number.NaN, digits: new Uint8Array(10) };

/** Makes `lastDay` the day `days` after the epoch. */
function civilDay(days: number): void {
  const shifted = (days + 719_468) | 0;
  const era = Math.floor(shifted / 146_097) | 0;
  const dayOfEra = (shifted - era * 146_097) | 0;
  const yearOfEra =
    ((dayOfEra -
      ((dayOfEra / 1_460) | 0) +
      ((dayOfEra / 36_524) | 0) -
      ((dayOfEra / 146_096) | 0)) /
      365) |
    0;
  const dayOfYear =
    (dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0))) | 0;
  const monthIndex = ((5 * dayOfYear + 2) / 153) | 0;
  const day = (dayOfYear - (((153 * monthIndex + 2) / 5) | 0) + 1) | 0;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = (yearOfEra + era * 400 + (month <= 2 ? 1 : 0)) | 0;
  const digits = lastDay.digits;
  digits[0] = ZERO + ((year / 1000) | 0);
  digits[1] = ZERO + (((year / 100) | 0) % 10);
  digits[2] = ZERO + (((year / 10) | 0) % 10);
  digits[3] = ZERO + (year % 10);
  digits[4] = 0x2d; // -
  twoDigits(digits, 5, month);
  digits[7] = 0x2d;
  twoDigits(digits, 8, day);
  lastDay.days = days;
}

/** `value` (0 to 99) in two decimal digits at `at`. */
function twoDigits(target: Uint8Array, at: number, value: number): void {
  target[at] = ZERO + ((value / 10) | 0);
  target[at + 1] = ZERO + (value % 10);
}
