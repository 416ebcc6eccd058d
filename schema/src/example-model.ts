import { sql } from 'drizzle-orm';
import { boolean, integer, text, timestamp } from 'drizzle-orm/pg-core';
import { SyncRejection } from './hooks';
import { syncTable } from './sync-table';

/**
 * The field-service example of DESIGN.md: a technician's to-do list, vehicle reference
 * data, and a command table for giving a model accolades offline.
 */

export const todoItem = syncTable(
  'todoItem',
  {
    text: text('text').notNull(),
    complete: boolean('complete').notNull().default(false),
    dueDate: timestamp('due_date', { withTimezone: true, precision: 3 }),
    userId: text('user_id').notNull(),
  },
  { owner: 'userId' },
);

export const vehicleManufacturer = syncTable(
  'vehicleManufacturer',
  {
    name: text('name').notNull(),
    country: text('country').notNull(),
  },
  { access: 'read' },
);

export const vehicleModel = syncTable(
  'vehicleModel',
  {
    name: text('name').notNull(),
    year: integer('year').notNull(),
    accoladeCount: integer('accolade_count').notNull().default(0),
    manufacturerId: text('manufacturer_id')
      .notNull()
      .references(() => vehicleManufacturer.id),
  },
  { access: 'read' },
);

/** Most accolades one command may give: a command is one person's praise, not a bulk edit. */
export const MAX_ACCOLADES_PER_COMMAND = 10;

/**
 * A command: inserting `{ vehicleModelId, accoladeCount: n }` raises that model's
 * `accoladeCount` by n in the same transaction. Commands are never pulled or changed.
 */
export const vehicleModelUpdate = syncTable(
  'vehicleModelUpdate',
  {
    vehicleModelId: text('vehicle_model_id').notNull(),
    accoladeCount: integer('accolade_count').notNull(),
    userId: text('user_id').notNull(),
  },
  {
    owner: 'userId',
    access: 'write',
    hooks: {
      async afterWrite({ kind, row, writer }) {
        if (kind !== 'INSERT') {
          throw new SyncRejection('INVALID', 'vehicleModelUpdate rows are commands: insert only');
        }
        const count = row.accoladeCount as number;
        if (count < 1 || count > MAX_ACCOLADES_PER_COMMAND) {
          throw new SyncRejection(
            'INVALID',
            `data.accoladeCount must be between 1 and ${MAX_ACCOLADES_PER_COMMAND}, got ${count}`,
          );
        }
        const model = await writer.update(vehicleModel, row.vehicleModelId as string, {
          accoladeCount: sql`${vehicleModel.accoladeCount} + ${count}`,
        });
        if (!model) {
          throw new SyncRejection(
            'INVALID',
            `data.vehicleModelId: there is no vehicle model "${String(row.vehicleModelId)}"`,
          );
        }
      },
    },
  },
);

/** The example model's tables, in the order the gateway serves them. */
export const exampleTables = [todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate];
