import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { getSyncTableInfo } from '@syncline/schema';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { ConfigError } from '../config';
import { exampleMigrations } from '../db/migrations';
import { systemTables } from '../db/system-tables';

/*
 * `syncline generate`: Drizzle Kit's migration generator (its programmatic API, so that the
 * config file is loaded once, by us) over the config's tables and Syncline's system tables,
 * written in Drizzle Kit's folder layout (`<tag>.sql`, `meta/_journal.json`, snapshots), which
 * `syncline migrate`, `syncline start` and `drizzle-kit` itself all read.
 */

interface Journal {
  version: string;
  dialect: 'postgresql';
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

type Snapshot = Awaited<ReturnType<typeof import('drizzle-kit/api').generateDrizzleJson>>;

const BREAKPOINT = '\n--> statement-breakpoint\n';

/** What `generate` wrote: the SQL file and how many statements it holds. */
export interface GeneratedMigration {
  file: string;
  statements: number;
}

/** Writes the next migration; undefined when the tables match the last one already. */
export async function generateMigration(
  tables: readonly PgTable[],
  folder: string,
  name = 'migration',
): Promise<GeneratedMigration | undefined> {
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new ConfigError(`--name must be lowercase letters, digits and _, got "${name}"`);
  }
  const journal = await readJournal(folder);
  const { current, statements } = await diff(tables, folder, journal);
  if (statements.length === 0) return undefined;
  const idx = journal?.entries.length ?? 0;
  const tag = `${String(idx).padStart(4, '0')}_${name}`;
  const sql = [...(idx === 0 ? await ownerTrackingFunctions() : []), ...statements];
  sql.push(...trackOwners(tables, current.previous));
  await mkdir(join(folder, 'meta'), { recursive: true });
  await writeFile(join(folder, `${tag}.sql`), `${sql.join(BREAKPOINT)}\n`);
  await writeFile(
    join(folder, 'meta', `${tag.slice(0, 4)}_snapshot.json`),
    `${JSON.stringify(current.snapshot, null, 2)}\n`,
  );
  const next: Journal = journal ?? { version: '7', dialect: 'postgresql', entries: [] };
  next.entries.push({ idx, version: '7', when: Date.now(), tag, breakpoints: true });
  await writeFile(join(folder, 'meta', '_journal.json'), `${JSON.stringify(next, null, 2)}\n`);
  return { file: join(folder, `${tag}.sql`), statements: sql.length };
}

/**
 * Checks that `folder` has migrations and that they cover the tables as declared now, so
 * that `syncline start` never serves tables the database does not have.
 */
export async function checkMigrations(tables: readonly PgTable[], folder: string): Promise<void> {
  const where = relative(process.cwd(), folder) || '.';
  const journal = await readJournal(folder);
  if (!journal) {
    throw new ConfigError(`no migrations in ${where}: run \`syncline generate\` first`);
  }
  const { statements } = await diff(tables, folder, journal);
  if (statements.length > 0) {
    throw new ConfigError(
      `the tables changed since the last migration in ${where}: run \`syncline generate\``,
    );
  }
}

async function readJournal(folder: string): Promise<Journal | undefined> {
  const file = join(folder, 'meta', '_journal.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as Journal;
}

async function diff(tables: readonly PgTable[], folder: string, journal: Journal | undefined) {
  const kit = await import('drizzle-kit/api');
  const last = journal?.entries.at(-1);
  const previous: Snapshot = last
    ? JSON.parse(
        await readFile(join(folder, 'meta', `${last.tag.slice(0, 4)}_snapshot.json`), 'utf8'),
      )
    : await kit.generateDrizzleJson({});
  const schema: Record<string, unknown> = { ...systemTables };
  for (const table of tables) schema[`syncline_table_${getTableName(table)}`] = table;
  const snapshot = await kit.generateDrizzleJson(schema, previous.id);
  const statements = await kit.generateMigration(previous, snapshot);
  return { current: { snapshot, previous }, statements };
}

/** `syncline_owner_moved` and `syncline_track_owner`, from the package's own migration. */
async function ownerTrackingFunctions(): Promise<string[]> {
  const sql = await readFile(join(exampleMigrations, '0002_track_owner.sql'), 'utf8');
  return sql
    .split(BREAKPOINT.trim())
    .map((statement) => statement.trim())
    .filter((statement) => statement.includes('CREATE OR REPLACE FUNCTION'));
}

/** One trigger per owned table that clients pull and that is new in this migration. */
function trackOwners(tables: readonly PgTable[], previous: Snapshot): string[] {
  const known = new Set(Object.keys(previous.tables));
  return tables.flatMap((table) => {
    const info = getSyncTableInfo(table);
    const sqlName = getTableName(table);
    if (!info?.owner || info.access === 'write' || known.has(`public.${sqlName}`)) return [];
    const owner = getTableColumns(table)[info.owner]?.name;
    return [`SELECT syncline_track_owner('${sqlName}', '${owner}');`];
  });
}
