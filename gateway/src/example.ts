/**
 * `@syncline/gateway/example`: the server side of the example model (`@syncline/schema/example`),
 * for this repository's `pnpm start`, tests, benchmarks and demo: its migrations (the system
 * tables included) and its reference data. An app with tables of its own needs neither.
 */
export { exampleMigrations } from './db/migrations';
export { seedExampleData } from './db/seed';
