import { Agent, request as httpRequest } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startGatewayProcess } from './support/gateway-process';

const BOUND_SECONDS = 4;
const URQL_ACCEPT =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
const PULL = JSON.stringify({ query: '{ pullVehicleModels(limit: 5) { rows { id } } }' });

interface Sending {
  /** Its connection is open and its headers are out. */
  connected: Promise<void>;
  answer: Promise<{ status: number; body: string }>;
}

/** A POST over `agent`; with `hold`, the end of its body waits until `hold` resolves. */
function post(port: number, agent: Agent, body: string, hold?: Promise<void>): Sending {
  let connected: () => void = () => {};
  const sending: Sending = {
    connected: new Promise((resolve) => {
      connected = resolve;
    }),
    answer: new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            // As urql sends it: a plain query may accept a stream too, and is no stream.
            accept: URQL_ACCEPT,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.on('socket', (socket) => {
        if (!socket.connecting) connected();
        else socket.once('connect', connected);
      });
      if (!hold) {
        req.end(body);
        return;
      }
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      void hold.then(() => req.end(body.slice(half)));
    }),
  };
  sending.answer.catch(() => {});
  return sending;
}

describe('the gateway on SIGTERM', () => {
  it('stops accepting, answers what is in flight, closes kept-alive connections and change streams, exits 0 in time', async () => {
    const gateway = await startGatewayProcess({
      SYNCLINE_DATA_DIR: 'memory:',
      SYNCLINE_SHUTDOWN_TIMEOUT_SECONDS: String(BOUND_SECONDS),
    });
    const { port } = gateway;
    const agent = new Agent({ keepAlive: true, maxSockets: 3 });
    onTestFinished(() => {
      gateway.kill();
      agent.destroy();
    });

    // A change stream, open until the gateway ends it.
    const stream = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { changes { table cursor } }' }),
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const streamEnded = stream.text().then(
      () => 'ended',
      () => 'ended',
    );

    // Three clients busy on kept-alive connections, counting the requests they send once
    // the stop has begun that are still answered.
    let signalled = false;
    let stopBegan = false;
    let answeredAfterStop = 0;
    const answeredBefore = [0, 0, 0];
    const busy = answeredBefore.map(async (_, index) => {
      for (;;) {
        const sentAfterStop = stopBegan;
        try {
          const answer = await post(port, agent, PULL).answer;
          expect(answer.status).toBe(200);
          if (sentAfterStop) answeredAfterStop++;
          if (!signalled) answeredBefore[index] = (answeredBefore[index] ?? 0) + 1;
        } catch (error) {
          if (!signalled) throw error;
          return (error as { code?: string }).code;
        }
      }
    });
    // A request still arriving when the signal comes: it must be answered all the same.
    let finishBody = () => {};
    const slow = post(
      port,
      new Agent(),
      PULL,
      new Promise<void>((resolve) => {
        finishBody = resolve;
      }),
    );
    await slow.connected;
    await gateway.waitFor('every busy client answered', () => answeredBefore.every((n) => n > 0));

    const started = performance.now();
    signalled = true;
    gateway.child.kill('SIGTERM');
    await gateway.waitFor('the stop to begin', () => gateway.output().includes('shutting down'));
    stopBegan = true;
    finishBody();
    const code = await gateway.exited;
    const seconds = (performance.now() - started) / 1000;

    expect(code).toBe(0);
    // It stopped by itself: nothing was left to cut at the deadline.
    expect(seconds).toBeLessThan(BOUND_SECONDS);
    expect(gateway.output()).not.toContain('cut');
    expect((await slow.answer).status).toBe(200);
    expect(await streamEnded).toBe('ended');
    // Each busy client then found the gateway gone rather than kept alive (refused, or a
    // kept-alive connection closed under a request that was about to go out on it).
    for (const ended of await Promise.all(busy))
      expect(ended).toMatch(/^(ECONNREFUSED|ECONNRESET)$/);
    // A kept-alive connection may carry one more request, answered with \`Connection: close\`.
    expect(answeredAfterStop).toBeLessThanOrEqual(3);
  });
});
