import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node resolves `graphql` to its CommonJS build, as the libraries around it do; Vite would
// pick the ESM build for our sources, and two copies of graphql do not recognise each
// other's errors. Tests load the same copy as production.
const graphql = createRequire(new URL('./gateway/package.json', import.meta.url)).resolve(
  'graphql',
);

const ALL = '{schema,client,gateway,test}/src/**/*.test.ts';
/**
 * Suites that start processes, browsers or database clusters, hammer the gateway, or wait on
 * timers: one at a time, after the others, so that two of them never share the two cores.
 * `prune` too: a cursor taken while any transaction on the server is open may expire (the
 * horizon check is conservative about transactions in progress), so it needs the Postgres
 * server to itself.
 */
const ALONE = [
  'test/src/{server,app-server,chaos,fuzz,gateway-shutdown,prune}.test.ts',
  'test/src/{database-restart,change-streams,client-live,pull-stall,postgres-deadlocks}.test.ts',
  'test/src/browser-*.test.ts',
];

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'together',
          include: [ALL],
          exclude: ALONE,
          // Pulls no longer wait for other transactions (snapshot cursors): these suites may
          // run side by side, two at a time.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'alone',
          include: ALONE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
