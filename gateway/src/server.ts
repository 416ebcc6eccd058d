import { existsSync } from 'node:fs';
import { exampleTables } from '@syncline/schema';
import { ConfigError, readConfig } from './config';
import { exampleMigrations } from './db/migrations';
import { seedExampleData } from './db/seed';
import { serve } from './serve';

/**
 * `pnpm start` in this repository: the example model, seeded, and the demo app when it is
 * built (or the app of SYNCLINE_APP_DIR), served as `syncline start` serves a project's.
 */
async function main() {
  const config = readConfig(process.env);
  const appBuilt = existsSync(`${config.appDir}/index.html`);
  if (config.appDirSet && !appBuilt) {
    throw new ConfigError(`SYNCLINE_APP_DIR: there is no index.html in ${config.appDir}`);
  }
  if (!appBuilt)
    console.log('no app at /: build the demo with `pnpm --filter @syncline/demo build`');
  await serve({
    config,
    tables: exampleTables,
    migrations: exampleMigrations,
    appDir: appBuilt ? config.appDir : undefined,
    seed: seedExampleData,
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration: ${error.message}` : error);
  process.exit(1);
});
