/** CPU time (user and system) this process has used, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What the propagation benchmark (`propagation.ts`) and its devices' process (`propagation-devices.ts`) say to each other. */

export type ToDevices =
  /** Opens `devices` clients on the gateway at `url`, each with a query of `category`. */
  | { type: 'open'; url: string; devices: number; category: string }
  /** Report when every device shows the row titled `title`, from now on. */
  | { type: 'round'; title: string }
  /** Report the process's CPU time so far. */
  | { type: 'usage' }
  | { type: 'close' };

/**
 * When one device went through each step of a round, on `wallNow()`'s clock; null for a
 * step it was not seen to take (a hint merged into a pull already under way, say).
 */
export interface DeviceSteps {
  /** Its change stream read the hint. */
  hint: number | null;
  /** It sent the pull (the request left its `fetch`). */
  pullSent: number | null;
  /** The gateway's answer came back (its `fetch` resolved). */
  answered: number | null;
  /** The rows were in its store (the `change` event). */
  stored: number | null;
  /** Its `watch()` callback showed the row. */
  shown: number;
}

export type FromDevices =
  | { type: 'opened' }
  | { type: 'round-ready' }
  /** Every device showed the round's row; `stream`: when the raw change stream heard the hint. */
  | { type: 'shown'; title: string; stream: number; devices: DeviceSteps[] }
  | { type: 'usage'; cpuMs: number }
  | { type: 'failed'; message: string };
