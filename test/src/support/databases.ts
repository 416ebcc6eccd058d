import { randomBytes } from 'node:crypto';
import { MEMORY, openDatabase, type SyncDatabase } from '@syncline/gateway';
import { exampleMigrations } from '@syncline/gateway/example';
import postgres from 'postgres';

/** A database kind every integration suite runs on. */
export interface TestDatabaseKind {
  name: 'pglite' | 'postgres';
  /** A new, migrated, empty database. */
  create(): Promise<TestDatabase>;
}

export interface TestDatabase {
  database: SyncDatabase;
  /** The connection string, for Postgres; undefined for PGlite. */
  url: string | undefined;
  /** Another connection pool to the same database (Postgres only): a second gateway process. */
  connectAgain(): Promise<SyncDatabase>;
  drop(): Promise<void>;
}

const pglite: TestDatabaseKind = {
  name: 'pglite',
  async create() {
    const database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    return {
      database,
      url: undefined,
      connectAgain: () => Promise.reject(new Error('PGlite has a single connection')),
      drop: () => database.close(),
    };
  },
};

/** A fresh database on the server of DATABASE_URL, dropped after the suite. */
function postgresKind(serverUrl: string): TestDatabaseKind {
  return {
    name: 'postgres',
    async create() {
      const name = `syncline_test_${randomBytes(6).toString('hex')}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const opened: SyncDatabase[] = [];
      const connect = async () => {
        const database = await openDatabase({ url: url.toString() });
        opened.push(database);
        return database;
      };
      const database = await connect();
      await database.migrate(exampleMigrations);
      return {
        database,
        url: url.toString(),
        connectAgain: connect,
        async drop() {
          await Promise.all(opened.map((each) => each.close()));
          await admin.unsafe(`drop database if exists ${name} with (force)`);
          await admin.end();
        },
      };
    },
  };
}

/** PGlite always; the real Postgres server too when DATABASE_URL is set (as in CI). */
export const databaseKinds: TestDatabaseKind[] = [
  pglite,
  ...(process.env.DATABASE_URL ? [postgresKind(process.env.DATABASE_URL)] : []),
];

export const postgresKinds = databaseKinds.filter((kind) => kind.name === 'postgres');
