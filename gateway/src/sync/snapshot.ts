/**
 * A Postgres snapshot (`pg_snapshot`): which transactions had committed when it was taken.
 * A transaction `t` is visible in it when `t < xmin`, or when `t < xmax` and `t` is not one
 * of `xip` (those in progress then). Every transaction id is an `xid8`, unique on the
 * whole server.
 */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  /** In progress when it was taken, ascending; all in [xmin, xmax). */
  xip: bigint[];
}

/** Most transactions in progress a snapshot keeps in a cursor (see `bounded`). */
export const MAX_IN_PROGRESS = 16;

/** Postgres' text form: `xmin:xmax:xip,xip,...`. */
export function parseSnapshot(text: string): Snapshot | undefined {
  const match = /^(\d{1,20}):(\d{1,20}):((?:\d{1,20}(?:,\d{1,20})*)?)$/.exec(text);
  if (!match) return undefined;
  const [, xmin, xmax, xip] = match;
  const snapshot = {
    xmin: BigInt(xmin as string),
    xmax: BigInt(xmax as string),
    xip: xip ? xip.split(',').map(BigInt) : [],
  };
  return isSnapshot(snapshot) ? snapshot : undefined;
}

export function snapshotText(snapshot: Snapshot): string {
  return `${snapshot.xmin}:${snapshot.xmax}:${snapshot.xip.join(',')}`;
}

/** Whether its parts hold together: xmin <= xip < xmax, ascending, within xid8. */
export function isSnapshot(snapshot: Snapshot): boolean {
  const { xmin, xmax, xip } = snapshot;
  if (xmin < 1n || xmin > xmax || xmax > MAX_XID8) return false;
  return xip.every((x, i) => x >= xmin && x < xmax && (i === 0 || x > (xip[i - 1] as bigint)));
}

const MAX_XID8 = 2n ** 64n - 1n;

/**
 * The snapshot with at most `MAX_IN_PROGRESS` transactions in progress, so that a cursor
 * stays small however busy the server. It sees less, never more: xmax comes down to the
 * first transaction left out, so every later one counts as not visible, and a pull from it
 * may send their rows again (harmless), never skip one.
 */
export function bounded(snapshot: Snapshot): Snapshot {
  if (snapshot.xip.length <= MAX_IN_PROGRESS) return snapshot;
  return {
    xmin: snapshot.xmin,
    xmax: snapshot.xip[MAX_IN_PROGRESS] as bigint,
    xip: snapshot.xip.slice(0, MAX_IN_PROGRESS),
  };
}

/**
 * Whether a transaction at or before `txid` may not be visible in `snapshot`: then a
 * change it made (a pruned tombstone, say) may not have reached a pull that stopped there.
 */
export function mayMissUpTo(snapshot: Snapshot, txid: bigint): boolean {
  return txid >= snapshot.xmax || snapshot.xip.some((inProgress) => inProgress <= txid);
}
