import type { Operation, todoItem, vehicleModel } from '@syncline/schema';
import { describe, expectTypeOf, it } from 'vitest';
import type { SyncClient, SyncClientOptions } from './create-sync-client';
import type { Transport } from './transport/transport';
import type { Row, RowInsert, RowUpdate, Where } from './types';

// Checked by `tsc` (the test run type-checks first); the assertions cost nothing at runtime.
describe('row types from the schema tables', () => {
  it('types rows as the gateway sends them', () => {
    expectTypeOf<Row<typeof todoItem>>().toEqualTypeOf<{
      id: string;
      version: number;
      createdAt: string;
      updatedAt: string;
      deleted: boolean;
      text: string;
      complete: boolean;
      dueDate: string | null;
      userId: string;
    }>();
  });

  it('leaves system and owner columns out of inserts, and takes dates as Date or string', () => {
    expectTypeOf<{ text: string }>().toMatchTypeOf<RowInsert<typeof todoItem>>();
    expectTypeOf<{ id: string; text: string; dueDate: Date }>().toMatchTypeOf<
      RowInsert<typeof todoItem>
    >();
    expectTypeOf<{ text: string; dueDate: string | null }>().toMatchTypeOf<
      RowInsert<typeof todoItem>
    >();
    // @ts-expect-error the owner is set by the server
    const owned: RowInsert<typeof todoItem> = { text: 'x', userId: 'mallory' };
    // @ts-expect-error text is required
    const missing: RowInsert<typeof todoItem> = { complete: true };
    expectTypeOf(owned).not.toBeAny();
    expectTypeOf(missing).not.toBeAny();
    expectTypeOf<RowInsert<typeof vehicleModel>>().toHaveProperty('manufacturerId');
  });

  it('takes an id and optional fields for updates, and typed filters', () => {
    expectTypeOf<{ id: string; complete: true }>().toMatchTypeOf<RowUpdate<typeof todoItem>>();
    expectTypeOf<{ complete: { eq: false }; dueDate: { lt: Date } }>().toMatchTypeOf<
      Where<typeof todoItem>
    >();
    // @ts-expect-error no such column
    const where: Where<typeof todoItem> = { colour: { eq: 'red' } };
    expectTypeOf(where).not.toBeAny();
  });
});

describe('createSyncClient options', () => {
  const tables = {} as { todoItem: typeof todoItem };
  const transport = {} as Transport;

  it('need a url, unless a transport is given', () => {
    expectTypeOf({ url: 'https://sync.example/graphql', tables }).toMatchTypeOf<
      SyncClientOptions<typeof tables>
    >();
    expectTypeOf({ transport, tables }).toMatchTypeOf<SyncClientOptions<typeof tables>>();
    // @ts-expect-error neither a url nor a transport
    const nowhere: SyncClientOptions<typeof tables> = { tables };
    void nowhere;
  });

  it('pendingChanges() gives plain operations, not the stored outbox entries', () => {
    expectTypeOf<Awaited<ReturnType<SyncClient<typeof tables>['pendingChanges']>>>().toEqualTypeOf<
      Operation[]
    >();
  });
});
