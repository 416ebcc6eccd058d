import { type FromClients, type ToClients, wallNow } from './fan-out-protocol';
import { openRawStream, type RawStream } from './raw-change-stream';

/**
 * The subscribers of the fan-out benchmark, in a process of their own (forked by
 * `fan-out.ts`) so that the gateway's process holds only the gateway's side of each
 * stream. Each stream is a connection of its own and a user of its own, opened the way the
 * client opens one (POST, `accept: text/event-stream`). Times are `wallNow()`, which both
 * processes read from the same clock.
 */

/** Connections opened at once: the server's listen backlog is 511. */
const OPENING_AT_ONCE = 100;

const send = (message: FromClients) => process.send?.(message);

let streams: RawStream[] = [];
/** The round: the streams of its table, their events when it began, when each heard one. */
let round: { table: string; before: number[]; arrivals: (number | undefined)[] } | undefined;
let waiting = 0;

function heard(index: number) {
  const at = wallNow();
  const stream = streams[index];
  if (!round || !stream || stream.table !== round.table || round.arrivals[index] !== undefined)
    return;
  if (stream.events <= (round.before[index] ?? 0)) return;
  round.arrivals[index] = at;
  waiting--;
  if (waiting > 0) return;
  const arrivals = round.arrivals.filter((arrival) => arrival !== undefined);
  round = undefined;
  send({ type: 'heard', arrivals });
}

/** Opens `count` more streams, each a user of its own. */
async function open(url: string, count: number, table: string) {
  const base = streams.length;
  let refused = 0;
  for (let first = 0; first < count; first += OPENING_AT_ONCE) {
    const batch = Array.from({ length: Math.min(OPENING_AT_ONCE, count - first) }, (_, offset) => {
      const index = base + first + offset;
      return openRawStream(url, `fan-out-${index}`, table, () => heard(index)).then((stream) => {
        if (stream) streams[index] = stream;
        else refused++;
      });
    });
    await Promise.all(batch);
  }
  send({ type: 'opened', refused });
}

process.on('message', (message: ToClients) => {
  const run = async () => {
    if (message.type === 'open') await open(message.url, message.streams, message.table);
    if (message.type === 'round') {
      const { table } = message;
      round = { table, before: streams.map((stream) => stream.events), arrivals: [] };
      waiting = streams.filter((stream) => stream.table === table).length;
      send({ type: 'round-ready' });
    }
    if (message.type === 'close') {
      for (const stream of streams) stream.close();
      streams = [];
      process.disconnect();
    }
  };
  run().catch((error: unknown) => send({ type: 'failed', message: String(error) }));
});
