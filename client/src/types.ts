import type { OwnedBy } from '@syncline/schema';
import type { InferInsertModel, InferSelectModel } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** Column keys a client never sends: the server keeps them. */
type ServerKey = 'id' | 'version' | 'createdAt' | 'updatedAt' | 'deleted' | ChangeKey;
type ChangeKey = 'changeTxid' | 'changeSeq';

type OwnerOf<T> = T extends OwnedBy<infer TOwner> ? TOwner : never;
type AsJson<V> = V extends Date ? string : V;
type AsInput<V> = V extends Date ? Date | string : V;

type Select<T extends PgTable> = Omit<InferSelectModel<T>, ChangeKey>;
type DataInsert<T extends PgTable> = Omit<InferInsertModel<T>, ServerKey | OwnerOf<T>>;

/**
 * A row as the client stores and returns it: plain JSON values (a DateTime is an ISO
 * string). `version` is 0 until the server has stored the row; the owner column is filled
 * in when the server returns it.
 */
export type Row<T extends PgTable> = { [K in keyof Select<T>]: AsJson<Select<T>[K]> };

/** What `insert` takes: the data columns (DateTime as a Date or ISO string) and, optionally, an id. */
export type RowInsert<T extends PgTable> = { id?: string } & {
  [K in keyof DataInsert<T>]: AsInput<DataInsert<T>[K]>;
};

/** What `update` takes: the id and the fields to change; a whole row from `get` works too. */
export type RowUpdate<T extends PgTable> = { id: string } & {
  [K in keyof Omit<Select<T>, 'id'>]?: AsInput<Omit<Select<T>, 'id'>[K]>;
};

type Comparable<V> = V extends string | number ? V : V extends Date ? Date | string : never;

/** Conditions on one column, all of which must hold; the gateway's `<Scalar>Filter`. */
export interface ColumnFilter<V> {
  eq?: AsInput<NonNullable<V>>;
  /** Not equal; rows without a value match too. */
  ne?: AsInput<NonNullable<V>>;
  in?: AsInput<NonNullable<V>>[];
  lt?: Comparable<NonNullable<V>>;
  lte?: Comparable<NonNullable<V>>;
  gt?: Comparable<NonNullable<V>>;
  gte?: Comparable<NonNullable<V>>;
  /** Case-sensitive substring. */
  contains?: string;
  isNull?: boolean;
}

/** A filter in the shape of the gateway's `<Table>Where`, used by pull, find, watch and purge. */
export type Where<T extends PgTable> = {
  and?: Where<T>[];
  or?: Where<T>[];
} & { [K in keyof Omit<Select<T>, 'deleted'>]?: ColumnFilter<Omit<Select<T>, 'deleted'>[K]> };

export type OrderBy<T extends PgTable> =
  | { [K in keyof Select<T>]?: 'asc' | 'desc' }
  | { [K in keyof Select<T>]?: 'asc' | 'desc' }[];

export interface FindOptions<T extends PgTable> {
  where?: Where<T>;
  orderBy?: OrderBy<T>;
  limit?: number;
}

/** Rows as the engine handles them internally: JSON objects keyed by column. */
export type StoredRow = Record<string, unknown> & { id: string; version: number };

/** A `where` as the engine handles it internally. */
export type AnyWhere = Record<string, unknown>;
