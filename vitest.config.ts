import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node resolves `graphql` to its CommonJS build, as the libraries around it do; Vite would
// pick the ESM build for our sources, and two copies of graphql do not recognise each
// other's errors. Tests load the same copy as production.
const graphql = createRequire(new URL('./gateway/package.json', import.meta.url)).resolve(
  'graphql',
);

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    include: ['{schema,client,gateway,test}/src/**/*.test.ts'],
    // One file at a time: a pull waits for every transaction older than its snapshot, on
    // the whole Postgres cluster, so the suites must not hold transactions open for each other.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
