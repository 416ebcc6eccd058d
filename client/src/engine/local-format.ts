import type { TableDescription } from '@syncline/schema';
import type { Store } from '../store/store';
import { StoreError } from '../store/store';
import { META, QUERIES } from './layout';
import type { StoredQuery } from './queries';

/**
 * The version of what the engine persists (outbox entries, queries, rows). 2: which
 * filtered queries cover each row (`members`); a database of format 1 has no such record,
 * so its filtered queries pull again from the start, which records it and removes the rows
 * they no longer cover.
 */
export const LOCAL_FORMAT = 2;

interface MetaRecord<T> {
  key: string;
  value: T;
}

/**
 * Checks the persisted format and remembers each table's fields. When a table's fields
 * changed since the last start (an app update added a column), its queries' cursors are
 * reset so that the next pull brings every row again with the new fields. Pending
 * operations are never touched.
 */
export async function checkLocalFormat(store: Store, tables: readonly TableDescription[]) {
  await store.write([META, QUERIES], async (tx) => {
    const format = await tx.get<MetaRecord<number>>(META, 'format');
    if (format && format.value > LOCAL_FORMAT) {
      throw new StoreError(
        `this local database was written by a newer Syncline client (format ${format.value}, this one reads ${LOCAL_FORMAT})`,
      );
    }
    await tx.put(META, { key: 'format', value: LOCAL_FORMAT });
    if (format && format.value < 2) {
      for (const query of await tx.getAll<StoredQuery>(QUERIES)) {
        if (query.where !== null) await tx.put(QUERIES, { ...query, cursor: null });
      }
    }
    const known = (await tx.get<MetaRecord<Record<string, string[]>>>(META, 'fields'))?.value ?? {};
    const fields: Record<string, string[]> = {};
    for (const table of tables) {
      fields[table.name] = [...table.fields];
      const before = known[table.name];
      if (!before || before.join() === table.fields.join()) continue;
      const queries = await tx.getAll<StoredQuery>(QUERIES, {
        range: { lower: [table.name], upper: [table.name, []] },
      });
      for (const query of queries) await tx.put(QUERIES, { ...query, cursor: null });
    }
    await tx.put(META, { key: 'fields', value: { ...known, ...fields } });
  });
}
