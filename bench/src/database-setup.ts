import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, type SyncDatabase } from '@syncline/gateway';
import { exampleMigrations } from '@syncline/gateway/example';
import { getTableName } from 'drizzle-orm';
import postgres from 'postgres';
import { benchTables, createTableSql } from './bench-tables';

/** Plain SQL without Syncline: the baselines' side of every server benchmark. */
export interface BaselineSql {
  /** Says in the output what the baseline is: postgres.js, or PGlite's own query API. */
  readonly label: string;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction; `query` inside it runs on that transaction. */
  transaction<T>(fn: (query: BaselineSql['query']) => Promise<T>): Promise<T>;
}

export interface BenchDatabase {
  readonly kind: 'postgres' | 'pglite';
  /** Where it runs, for the report: the server's version, or PGlite. */
  readonly description: string;
  /** What the gateway uses. */
  readonly database: SyncDatabase;
  /** The Postgres database's URL, for another gateway process over it; PGlite has none. */
  readonly url: string | undefined;
  readonly baseline: BaselineSql;
  drop(): Promise<void>;
}

/**
 * A fresh database with Syncline's system tables and the bench tables: on the server of
 * `serverUrl` (created here, dropped after) or, without one, PGlite in a temporary folder.
 */
export async function createBenchDatabase(serverUrl: string | undefined): Promise<BenchDatabase> {
  const opened = serverUrl ? await createOnServer(serverUrl) : await createPglite();
  await opened.database.migrate(exampleMigrations);
  for (const table of benchTables) {
    for (const statement of createTableSql(getTableName(table))) {
      await opened.baseline.query(statement);
    }
  }
  const [version] = await opened.baseline.query<{ version: string }>('select version()');
  const server = version?.version.split(' on ')[0] ?? 'unknown';
  return { ...opened, description: opened.kind === 'pglite' ? `PGlite (${server})` : server };
}

type Opened = Omit<BenchDatabase, 'description'>;

async function createOnServer(serverUrl: string): Promise<Opened> {
  const name = `syncline_bench_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  const over = (session: postgres.Sql | postgres.TransactionSql): BaselineSql['query'] => {
    return async <T>(text: string, params: unknown[] = []) =>
      (await session.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
        prepare: true,
      })) as unknown as T[];
  };
  return {
    kind: 'postgres',
    database,
    url: url.toString(),
    baseline: {
      label: 'postgres.js',
      query: over(sql),
      transaction: (fn) => sql.begin((tx) => fn(over(tx))) as never,
    },
    async drop() {
      await sql.end({ timeout: 5 });
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function createPglite(): Promise<Opened> {
  const dataDir = await mkdtemp(join(tmpdir(), 'syncline-bench-'));
  const database = await openDatabase({ dataDir });
  // Drizzle keeps the driver it was given: the same PGlite the gateway queries.
  const client = (database.db as unknown as { $client: PGlite }).$client;
  return {
    kind: 'pglite',
    database,
    url: undefined,
    baseline: {
      label: 'PGlite query API',
      query: async <T>(text: string, params: unknown[] = []) =>
        (await client.query<T>(text, params)).rows,
      transaction: (fn) =>
        client.transaction((tx) =>
          fn(
            async <T>(text: string, params: unknown[] = []) =>
              (await tx.query<T>(text, params)).rows,
          ),
        ),
    },
    async drop() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
