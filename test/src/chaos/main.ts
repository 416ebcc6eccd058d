import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterToolsAvailable } from '../support/throwaway-postgres';
import { type ChaosOptions, runChaos } from './run-chaos';

const HELP = `pnpm chaos [options]: many real clients against several gateways through a faulty
network, while the servers are killed, stopped and restarted; then heal and check.

  --seed N             the run's seed (default: a random one, printed)
  --clients N          devices (default 30)
  --seconds N          how long the faults last (default 60)
  --gateways N         gateway processes (default 2)
  --database D         postgres (a throwaway cluster of its own) or pglite (default: postgres
                       where this machine can make clusters, else pglite)
  --request-loss P     share of requests lost (default 0.1)
  --answer-loss P      share of answers lost (default 0.1)
  --max-delay MS       each request waits up to this long (default 30)
  --pace MS            mean pause between two actions of one device (default 250)
  --no-server-faults   no kill -9, SIGTERM or database restart
  --runs N             run N seeds one after another, from --seed up (default 1)`;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      clients: { type: 'string', default: '30' },
      seconds: { type: 'string', default: '60' },
      gateways: { type: 'string', default: '2' },
      database: { type: 'string' },
      'request-loss': { type: 'string', default: '0.1' },
      'answer-loss': { type: 'string', default: '0.1' },
      'max-delay': { type: 'string', default: '30' },
      pace: { type: 'string', default: '250' },
      'no-server-faults': { type: 'boolean', default: false },
      runs: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const number = (name: keyof typeof values, min: number, max: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max}, got "${values[name]}"`);
    }
    return value;
  };
  const database = values.database ?? (clusterToolsAvailable ? 'postgres' : 'pglite');
  if (database !== 'postgres' && database !== 'pglite') {
    throw new Error(`--database must be postgres or pglite, got "${database}"`);
  }
  const firstSeed =
    values.seed === undefined ? Math.floor(Math.random() * 1e6) : number('seed', 0, 2 ** 32 - 1);
  const runs = number('runs', 1, 1000);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    const seed = firstSeed + run;
    const options: ChaosOptions = {
      seed,
      clients: number('clients', 1, 500),
      seconds: number('seconds', 1, 3600),
      gateways: number('gateways', 1, 8),
      database,
      rates: {
        requestLoss: number('request-loss', 0, 0.9),
        answerLoss: number('answer-loss', 0, 0.9),
        maxDelayMs: number('max-delay', 0, 10_000),
      },
      serverFaults: !values['no-server-faults'],
      paceMs: number('pace', 0, 60_000),
      shutdownMs: 10_000,
      databaseUrl: process.env.DATABASE_URL,
      logDir: join(ROOT, 'test-results', 'chaos', String(seed)),
      log: (line) => console.log(line),
    };
    const report = await runChaos(options);
    for (const [kind, list] of Object.entries(report.findings)) {
      for (const line of list.slice(0, 10)) console.log(`  ${kind}: ${line}`);
      if (list.length > 10) console.log(`  ${kind}: ... and ${list.length - 10} more`);
    }
    console.log(report.summary);
    if (!report.ok) {
      failed++;
      console.log(`FAILED. Gateway logs in ${options.logDir}. Replay: ${report.replay}`);
    }
  }
  if (runs > 1) console.log(`${runs - failed} of ${runs} runs passed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
