import { openDatabase } from '@syncline/gateway';
import { startBenchServer } from './gateway-server';
import { exposeGc, settledMemory } from './process-memory';
import { cpuMs } from './propagation-protocol';

/**
 * Another gateway over the bench's Postgres database, in a process of its own (forked by
 * `propagation.ts` with the database's URL): a second server of a deployment, which hears
 * the first one's commits through LISTEN/NOTIFY only. Says `listening` with its endpoint,
 * answers `usage` with its CPU time, `memory` with its memory after full collections (the
 * load test's), and stops on `close`.
 */
export type FromGateway =
  | { type: 'listening'; url: string }
  | { type: 'usage'; cpuMs: number }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
export type ToGateway = { type: 'usage' } | { type: 'memory' } | { type: 'close' };

const send = (message: FromGateway) => process.send?.(message);

async function serve(url: string) {
  const database = await openDatabase({ url });
  const server = await startBenchServer(database);
  const gc = exposeGc();
  process.on('message', (message: ToGateway) => {
    if (message.type === 'usage') send({ type: 'usage', cpuMs: cpuMs() });
    if (message.type === 'memory') {
      settledMemory(gc).then(
        ({ rss, heapUsed }) => send({ type: 'memory', rss, heapUsed }),
        (error: unknown) => send({ type: 'failed', message: String(error) }),
      );
    }
    if (message.type !== 'close') return;
    const close = async () => {
      await server.close();
      await database.close();
      send({ type: 'closed' });
      process.disconnect();
    };
    close().catch((error: unknown) => send({ type: 'failed', message: String(error) }));
  });
  send({ type: 'listening', url: server.url });
}

const url = process.argv[2];
if (!url) throw new Error('gateway-process: the database URL is its argument');
serve(url).catch((error: unknown) => {
  send({ type: 'failed', message: String(error) });
  process.disconnect();
});
