/** What the load test (`load.ts`) and its clients' processes (`load-clients.ts`) say to each other. */

/** One device: `user` (its token, which the bench gateway takes as the user) and its number. */
export interface LoadDevice {
  user: string;
  index: number;
}

export type ToLoadClients =
  /** Opens these devices on the gateway at `url`; each is live and has pulled once when `opened`. */
  | { type: 'open'; url: string; devices: LoadDevice[] }
  /** Each open device writes `writes` rows one after the other, each pushed before the next. */
  | { type: 'warm-up'; writes: number }
  /**
   * Each device writes on average every `meanIntervalMs` (its jitter from a generator seeded
   * with its user and number) until `until`; requests and arrivals count from `from` on (all
   * on `wallNow()`'s clock). Answered when the devices have stopped writing.
   */
  | { type: 'load'; from: number; until: number; meanIntervalMs: number }
  /** Once nothing is pending or under way: every device's rows. */
  | { type: 'settle'; timeoutMs: number }
  /** Report the process's CPU time so far. */
  | { type: 'usage' }
  | { type: 'close' };

/** What went wrong, counted by kind, with the first few messages. */
export interface LoadErrors {
  count: number;
  kinds: Record<string, number>;
  samples: string[];
}

/** What one process's devices did while counting. */
export interface LoadCounts {
  /** Push and pull requests answered, each's time from the call of `fetch` to the body read, in ms. */
  pushMs: number[];
  pullMs: number[];
  /** Rows written through the client API (inserts and updates). */
  writes: number;
  /** From just before a write on one device to the pull answer bringing it to each other device of its user. */
  arrivalMs: number[];
  /** Every error since the last `settle` (the first: since the devices opened): the test wants none. */
  errors: LoadErrors;
}

/** One device's rows at the end: `id:version:title`, sorted. */
export interface DeviceRows {
  user: string;
  index: number;
  rows: string[];
}

export type FromLoadClients =
  | { type: 'opened' }
  | { type: 'warmed-up' }
  | { type: 'loaded' }
  /** `quiet`: nothing was pending or under way before the timeout. */
  | { type: 'settled'; quiet: boolean; devices: DeviceRows[]; counts: LoadCounts }
  | { type: 'usage'; cpuMs: number }
  | { type: 'failed'; message: string };
