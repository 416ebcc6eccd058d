/// <reference types="@pothos/core" preserve="true" />
import SchemaBuilder from '@pothos/core';
import { Kind, type ValueNode } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/** What every resolver gets: who is asking. */
export interface GatewayContext {
  userId: string;
}

export interface SynclineSchemaTypes {
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    Cursor: { Input: string; Output: string };
  };
}

export function createBuilder() {
  const builder = new SchemaBuilder<SynclineSchemaTypes>({ defaultFieldNullability: false });
  builder.scalarType('DateTime', {
    description: 'A point in time, as an ISO 8601 string with a time zone: 2026-05-01T08:30:00Z',
    serialize: (value) => {
      if (value instanceof Date) return value.toISOString();
      // Pulls select timestamps already in this form (see sync/pull-projection.ts).
      if (typeof value === 'string' && CANONICAL_DATE_TIME.test(value)) return value;
      return new Date(value).toISOString();
    },
    parseValue: (value) => parseDateTime(value),
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value.',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (node) => jsonLiteral(node),
  });
  builder.scalarType('Cursor', {
    description: 'An opaque pull position: pass back the `cursor` a pull returned as `after`.',
    serialize: (value) => value,
    parseValue: (value) => {
      if (typeof value !== 'string')
        throw createGraphQLError('A Cursor is a string returned by a pull');
      return value;
    },
  });
  return builder;
}

export type Builder = ReturnType<typeof createBuilder>;

/** `toISOString()`'s own output: UTC, milliseconds, a four-digit year. */
const CANONICAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw createGraphQLError(
      'A DateTime is an ISO 8601 string with a time zone, e.g. 2026-05-01T08:30:00Z',
    );
  }
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw createGraphQLError('A DateTime must fall between the years 0001 and 9999 in UTC');
  }
  return date;
}

function jsonLiteral(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(jsonLiteral);
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((field) => [field.name.value, jsonLiteral(field.value)]),
      );
    default:
      throw createGraphQLError('JSON literals cannot contain variables');
  }
}
