import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ChaosOptions, runChaos } from './chaos/run-chaos';
import { clusterToolsAvailable } from './support/throwaway-postgres';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const seed = Number(process.env.SYNCLINE_CHAOS_SEED ?? 7);

/**
 * The reduced chaos run (`pnpm chaos` is the full one): a few devices for a few seconds,
 * every fault once. On PGlite the gateways live in this process; on Postgres they are
 * processes on a throwaway cluster of the run's own, killed, stopped and restarted for real.
 */
function reduced(database: ChaosOptions['database']): ChaosOptions {
  return {
    seed,
    clients: 6,
    seconds: 10,
    gateways: 2,
    database,
    rates: { requestLoss: 0.1, answerLoss: 0.1, maxDelayMs: 30 },
    serverFaults: true,
    paceMs: 150,
    shutdownMs: 10_000,
    databaseUrl: process.env.DATABASE_URL,
    logDir: join(ROOT, 'test-results', 'chaos', `${database}-${seed}`),
    log: () => {},
  };
}

async function expectConverged(options: ChaosOptions) {
  const report = await runChaos(options);
  console.log(report.summary);
  const found = Object.entries(report.findings).flatMap(([kind, list]) =>
    list.map((line) => `${kind}: ${line}`),
  );
  expect(found, `replay with: ${report.replay}`).toEqual([]);
}

describe('chaos, reduced', () => {
  it('converges on PGlite', { timeout: 120_000 }, () => expectConverged(reduced('pglite')));

  it.skipIf(!process.env.DATABASE_URL || !clusterToolsAvailable)(
    'converges on Postgres, gateway processes on a throwaway cluster',
    { timeout: 180_000 },
    () => expectConverged(reduced('postgres')),
  );
});
