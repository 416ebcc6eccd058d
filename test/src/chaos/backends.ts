import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SyncDatabase } from '@syncline/gateway';
import { exampleMigrations, seedExampleData } from '@syncline/gateway/example';
import postgres from 'postgres';
import type { Random } from '../support/random';
import {
  clusterToolsAvailable,
  createThrowawayPostgres,
  type ThrowawayPostgres,
} from '../support/throwaway-postgres';
import { type GatewayNode, inProcessNode, processNode } from './gateway-nodes';

/** The servers of a chaos run: the gateways and the database they share. */
export interface Backend {
  readonly nodes: readonly GatewayNode[];
  /** What the run could not do here (said in the report), e.g. restart the database. */
  readonly limits: string[];
  /** Restarts the database under the gateways; answers what it did, or undefined if it cannot. */
  restartDatabase(random: Random): Promise<string | undefined>;
  /** Deadlocks the database reported, when it can tell. */
  deadlocks(): number | undefined;
  close(): Promise<void>;
}

export interface BackendOptions {
  gateways: number;
  jwtSecret: string;
  logDir: string;
  shutdownMs: number;
}

/**
 * Gateway processes (`gateway/src/server.ts`, as `pnpm start` runs it) on a Postgres
 * server of the run's own, so that it can be restarted. Where this machine cannot make
 * one, a fresh database on `fallbackUrl`'s server, which is never restarted.
 */
export async function postgresBackend(
  options: BackendOptions,
  fallbackUrl: string | undefined,
): Promise<Backend> {
  let cluster: ThrowawayPostgres | undefined;
  let url: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  const limits: string[] = [];
  if (clusterToolsAvailable) {
    cluster = await createThrowawayPostgres();
    url = cluster.url;
  } else if (fallbackUrl) {
    const name = `syncline_chaos_${randomBytes(6).toString('hex')}`;
    const admin = postgres(fallbackUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const target = new URL(fallbackUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
    limits.push(
      'no throwaway Postgres cluster here (needs root and pg_createcluster): no restarts',
    );
  } else {
    throw new Error('chaos on postgres needs pg_createcluster (as root) or DATABASE_URL');
  }
  const nodes = Array.from({ length: options.gateways }, (_, index) =>
    processNode({
      name: `gateway-${index + 1}`,
      databaseUrl: url,
      jwtSecret: options.jwtSecret,
      logFile: join(options.logDir, `gateway-${index + 1}.log`),
      shutdownMs: options.shutdownMs,
    }),
  );
  // One at a time: the first one migrates and seeds the new database.
  for (const node of nodes) await node.start();
  return {
    nodes,
    limits,
    async restartDatabase(random) {
      if (!cluster) return undefined;
      const mode = random.pick(['fast', 'immediate'] as const);
      await cluster.restart(mode);
      return `postgres restart (${mode})`;
    },
    deadlocks: () => cluster?.deadlocks(),
    async close() {
      for (const node of nodes) await node.kill();
      await cluster?.drop();
      await dropDatabase?.();
    },
  };
}

/**
 * Gateways in this process over one embedded PGlite database in a folder of its own: one
 * process owns a PGlite database, so a kill drops the gateway's connections instead of
 * its process, and a database restart stops every gateway, closes the database, opens it
 * again from its folder and starts the gateways.
 */
export async function pgliteBackend(options: BackendOptions): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'syncline-chaos-'));
  let database: SyncDatabase = await openDatabase({ dataDir });
  await database.migrate(exampleMigrations);
  await seedExampleData(database.db);
  const nodes = Array.from({ length: options.gateways }, (_, index) =>
    inProcessNode({
      name: `gateway-${index + 1}`,
      database: () => database,
      jwtSecret: options.jwtSecret,
      shutdownMs: options.shutdownMs,
    }),
  );
  for (const node of nodes) await node.start();
  return {
    nodes,
    limits: ['PGlite: gateways in one process, a kill drops their connections'],
    async restartDatabase() {
      const wereUp = nodes.filter((node) => node.origin !== undefined);
      for (const node of nodes) await node.kill();
      await database.close();
      database = await openDatabase({ dataDir });
      for (const node of wereUp) await node.start();
      return 'PGlite restart (gateways stopped, database closed and opened again)';
    },
    deadlocks: () => undefined,
    async close() {
      for (const node of nodes) await node.kill();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
