import { getTableColumns, getTableName } from 'drizzle-orm';
import { text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { DRIZZLE_COLUMNS, describeSyncTable } from './describe-table';
import { exampleTables, todoItem, vehicleModel, vehicleModelUpdate } from './example-model';
import { tableNames } from './protocol';
import { getSyncTableInfo, syncTable } from './sync-table';

describe('syncTable', () => {
  it('adds the system columns and a snake_case table name', () => {
    expect(getTableName(todoItem)).toBe('todo_item');
    const columns = getTableColumns(todoItem);
    expect(Object.keys(columns)).toEqual([
      'id',
      'version',
      'createdAt',
      'updatedAt',
      'deleted',
      'changeTxid',
      'changeSeq',
      'text',
      'complete',
      'dueDate',
      'userId',
    ]);
    expect(columns.changeTxid.getSQLType()).toBe('xid8');
    expect(columns.version.default).toBe(1);
  });

  it('keeps the options, with the owner out of the writable columns', () => {
    expect(getSyncTableInfo(todoItem)).toMatchObject({
      name: 'todoItem',
      owner: 'userId',
      access: 'read-write',
      dataColumns: ['text', 'complete', 'dueDate'],
    });
    expect(getSyncTableInfo(vehicleModel)).toMatchObject({ access: 'read', owner: undefined });
    expect(getSyncTableInfo(vehicleModelUpdate)?.hooks.afterWrite).toBeTypeOf('function');
    expect(getSyncTableInfo({})).toBeUndefined();
  });

  it('refuses bad names, system column names and an unknown owner', () => {
    expect(() => syncTable('Todo_item', { a: text('a') })).toThrow('must be camelCase');
    expect(() => syncTable('thing', { version: text('v') })).toThrow(
      '"version" is a system column',
    );
    expect(() => syncTable('thing', { a: text('a') }, { owner: 'b' as 'a' })).toThrow(
      'owner "b" is not one of its columns',
    );
  });

  it('names the GraphQL fields after the table', () => {
    expect(tableNames('vehicleModelUpdate')).toEqual({
      type: 'VehicleModelUpdate',
      pull: 'pullVehicleModelUpdates',
      pullPages: 'pullVehicleModelUpdatePages',
      lookup: 'vehicleModelUpdate',
      insert: 'insertVehicleModelUpdate',
      update: 'updateVehicleModelUpdate',
      delete: 'deleteVehicleModelUpdate',
    });
  });
});

describe('describeSyncTable', () => {
  it("reads Drizzle's columns where getTableColumns does", () => {
    for (const table of Object.values(exampleTables)) {
      const columns = (table as unknown as Record<symbol, unknown>)[DRIZZLE_COLUMNS];
      expect(columns).toBe(getTableColumns(table));
      expect(describeSyncTable(table).columns.length).toBeGreaterThan(0);
    }
  });
});
