import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createGateway, MEMORY, openDatabase } from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('committed contracts', () => {
  it('schema/schema.graphql is the schema the gateway serves (pnpm schema:print updates it)', async () => {
    const database = await openDatabase({ dataDir: MEMORY });
    const served = printSchema(
      createGateway({ tables: exampleTables, database }).getEnveloped().schema,
    );
    await database.close();
    const committed = await readFile(join(root, 'schema/schema.graphql'), 'utf8');
    expect(`${served}\n`).toBe(committed);
  });

  it('the Drizzle Kit migrations match the tables (pnpm db:generate updates them)', async () => {
    // drizzle-kit only takes an --out relative to its working directory.
    const gateway = join(root, 'gateway');
    const out = relative(gateway, await mkdtemp(join(gateway, '.drift-check-')));
    try {
      await cp(join(gateway, 'drizzle'), join(gateway, out), { recursive: true });
      const { stdout } = await promisify(execFile)(
        join(root, 'gateway/node_modules/.bin/drizzle-kit'),
        [
          'generate',
          '--dialect',
          'postgresql',
          '--schema',
          './src/db/drizzle-schema.ts',
          '--out',
          out,
        ],
        { cwd: gateway },
      );
      expect(stdout).toContain('No schema changes');
    } finally {
      await rm(join(gateway, out), { recursive: true, force: true });
    }
  });
});
