import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { getSyncTableInfo } from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';
import { createJiti } from 'jiti';
import { ConfigError } from '../config';
import type { GatewayLimits } from '../graphql/limits';

/** What `syncline.config.ts` exports by default; see README, "Use Syncline in your app". */
export interface SynclineConfig {
  /** The tables to serve, each made by `syncTable()` (with its hooks). */
  tables: readonly PgTable[];
  /** The Drizzle Kit migrations folder, relative to the config file. Default `./drizzle`. */
  migrations?: string;
  /** A built web app to serve at `/`, relative to the config file; SYNCLINE_APP_DIR overrides. */
  app?: string;
  /** Query limits; the environment's SYNCLINE_* variables override them. */
  limits?: Partial<GatewayLimits>;
}

/** Types a config file's default export: `export default defineConfig({ tables: [...] })`. */
export function defineConfig(config: SynclineConfig): SynclineConfig {
  return config;
}

/** A config file as loaded: its settings, with the folders made absolute. */
export interface LoadedConfig {
  file: string;
  tables: readonly PgTable[];
  migrations: string;
  app: string | undefined;
  limits: Partial<GatewayLimits>;
}

export const CONFIG_FILES = [
  'syncline.config.ts',
  'syncline.config.mts',
  'syncline.config.js',
  'syncline.config.mjs',
];

/** Finds and loads the config file in `cwd` (TypeScript too, through jiti), and checks it. */
export async function loadConfigFile(cwd: string): Promise<LoadedConfig> {
  const file = CONFIG_FILES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (!file) {
    throw new ConfigError(
      `no syncline.config.ts (or .js) in ${cwd}: create one that exports default { tables: [...] }`,
    );
  }
  const name = relative(cwd, file);
  let loaded: unknown;
  try {
    const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
    loaded = await jiti.import(file, { default: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${name} failed to load: ${message.split('\n')[0]}`);
  }
  return checkConfig(name, dirname(file), loaded);
}

function checkConfig(name: string, dir: string, loaded: unknown): LoadedConfig {
  if (typeof loaded !== 'object' || loaded === null) {
    throw new ConfigError(`${name} must export default { tables: [...] } (see defineConfig)`);
  }
  const config = loaded as Partial<Record<keyof SynclineConfig, unknown>>;
  const tables = config.tables;
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new ConfigError(`${name}: tables must be a non-empty list of syncTable() tables`);
  }
  tables.forEach((table: unknown, i) => {
    if (typeof table !== 'object' || table === null || !getSyncTableInfo(table)) {
      throw new ConfigError(`${name}: tables[${i}] was not made by syncTable()`);
    }
  });
  const folder = (key: 'migrations' | 'app', fallback?: string) => {
    const value = config[key] ?? fallback;
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`${name}: ${key} must be a folder path, got ${JSON.stringify(value)}`);
    }
    return resolve(dir, value);
  };
  const limits = config.limits ?? {};
  if (typeof limits !== 'object' || limits === null) {
    throw new ConfigError(`${name}: limits must be an object such as { pullMax: 500 }`);
  }
  return {
    file: name,
    tables: tables as PgTable[],
    migrations: folder('migrations', './drizzle') as string,
    app: folder('app'),
    limits: limits as Partial<GatewayLimits>,
  };
}
