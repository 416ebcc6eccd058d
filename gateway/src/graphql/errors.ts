import type { ErrorCode } from '@syncline/schema';
import { createGraphQLError } from 'graphql-yoga';

/** A GraphQL error with `extensions.code`, its message naming what to fix. */
export function syncError(code: ErrorCode, message: string, field?: string) {
  return createGraphQLError(message, { extensions: field ? { code, field } : { code } });
}

export const badInput = (field: string, problem: string) =>
  syncError('BAD_USER_INPUT', `${field}: ${problem}`, field);

export const limitExceeded = (field: string, problem: string) =>
  syncError('LIMIT_EXCEEDED', `${field}: ${problem}`, field);
