#!/usr/bin/env node
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { printSchema } from 'graphql';
import { signDevToken } from '../auth/dev-token';
import { ConfigError, readConfig, type ServerConfig } from '../config';
import { createGateway } from '../create-gateway';
import { MEMORY, openDatabase } from '../db/database';
import type { GatewayLimits } from '../graphql/limits';
import { serve } from '../serve';
import { type LoadedConfig, loadConfigFile } from './config-file';
import { checkMigrations, generateMigration } from './migrations';

const USAGE = `Usage: syncline <command>

  start               migrate, then serve the tables of syncline.config.ts (GraphQL at /graphql)
  generate [--name x] write the SQL migration for the config's tables (Drizzle Kit) into ./drizzle
  migrate             apply the migrations that have not run yet
  dev-token <user>    print a development token for a user (needs SYNCLINE_JWT_SECRET) [--hours n]
  schema              print the GraphQL schema the tables get

The database is DATABASE_URL, or embedded PGlite in SYNCLINE_DATA_DIR (default ./.syncline).
Settings come from the environment: see the README, "Configuration".`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      hours: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) return void console.log(version());
  if (values.help || command === undefined || command === 'help') return void console.log(USAGE);
  const env = readConfig(process.env);
  switch (command) {
    case 'start': {
      const file = await loadConfigFile(process.cwd());
      await checkMigrations(file.tables, file.migrations);
      const config = { ...env, limits: mergeLimits(env, file) };
      const appDir = env.appDirSet ? env.appDir : file.app;
      return serve({ config, tables: file.tables, migrations: file.migrations, appDir });
    }
    case 'generate': {
      const file = await loadConfigFile(process.cwd());
      const written = await generateMigration(file.tables, file.migrations, values.name);
      console.log(
        written
          ? `wrote ${written.file} (${written.statements} statements); apply it with \`syncline migrate\` or \`syncline start\``
          : `no changes: the migrations in ${file.migrations} match the tables`,
      );
      return;
    }
    case 'migrate': {
      const file = await loadConfigFile(process.cwd());
      await checkMigrations(file.tables, file.migrations);
      const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
      try {
        await database.migrate(file.migrations);
      } finally {
        await database.close();
      }
      const where = database.kind === 'pglite' ? `PGlite in ${env.dataDir}` : 'Postgres';
      console.log(`migrated (${where})`);
      return;
    }
    case 'dev-token': {
      const [user] = rest;
      if (!user) throw new ConfigError('usage: syncline dev-token <user> [--hours 12]');
      console.log(await signDevToken(env.auth, user, Number(values.hours ?? 12)));
      return;
    }
    case 'schema': {
      const file = await loadConfigFile(process.cwd());
      const database = await openDatabase({ dataDir: MEMORY });
      try {
        const gateway = createGateway({ tables: file.tables, database });
        process.stdout.write(`${printSchema(gateway.getEnveloped().schema)}\n`);
        await gateway.dispose();
      } finally {
        await database.close();
      }
      return;
    }
    default:
      throw new ConfigError(`unknown command "${command}"; try \`syncline --help\``);
  }
}

/** The config file's limits, except where the environment sets one. */
function mergeLimits(env: ServerConfig, file: LoadedConfig): GatewayLimits {
  const defaults = readConfig({}).limits;
  const limits = { ...env.limits };
  for (const key of Object.keys(file.limits) as (keyof GatewayLimits)[]) {
    const value = file.limits[key];
    if (value !== undefined && env.limits[key] === defaults[key]) limits[key] = value;
  }
  return limits;
}

function version(): string {
  const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };
  return manifest.version;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const expected =
    error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(
    `syncline: ${expected ? (error as Error).message : String(error instanceof Error ? error.stack : error)}`,
  );
  process.exit(1);
});
