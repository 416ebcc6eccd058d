import { writeFile } from 'node:fs/promises';
import { exampleTables } from '@syncline/schema';
import { printSchema } from 'graphql';
import { createGateway } from './create-gateway';
import { MEMORY, openDatabase } from './db/database';

/** Writes the schema the gateway serves for the example model to schema/schema.graphql. */
const database = await openDatabase({ dataDir: MEMORY });
const gateway = createGateway({ tables: exampleTables, database });
const target = new URL('../../schema/schema.graphql', import.meta.url);
await writeFile(target, `${printSchema(gateway.getEnveloped().schema)}\n`);
await database.close();
console.log(`wrote ${target.pathname}`);
