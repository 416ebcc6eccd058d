/** What the fan-out benchmark (`fan-out.ts`) and its subscribers' process (`stream-clients.ts`) say to each other. */

export type ToClients =
  | { type: 'open'; url: string; streams: number; table: string }
  /** Report when every stream of `table` has heard a hint from now on. */
  | { type: 'round'; table: string }
  | { type: 'close' };

export type FromClients =
  | { type: 'opened'; refused: number }
  | { type: 'round-ready' }
  /** When each stream of the round's table heard its first hint since the round began. */
  | { type: 'heard'; arrivals: number[] }
  | { type: 'failed'; message: string };

/** Milliseconds on a clock that every process on this machine shares, sub-millisecond. */
export const wallNow = () => performance.timeOrigin + performance.now();

/** The header the bench gateway takes as the user, one per stream. */
export const BENCH_USER_HEADER = 'x-bench-user';
