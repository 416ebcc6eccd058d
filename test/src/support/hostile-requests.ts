import { TEST_USER_HEADER } from './gateway-client';
import { deepAndWideRequest } from './hostile/deep-and-wide';
import { hugeBatchRequest } from './hostile/huge-batch';
import { injectionRequest } from './hostile/injection';
import { malformedRequest } from './hostile/malformed';
import {
  createRandom,
  type Draft,
  type Expectation,
  FUZZ_USER,
  type Random,
} from './hostile/shared';
import { wrongTypesRequest } from './hostile/wrong-types';

/**
 * Seeded generators of hostile requests for `fuzz.test.ts`. Request `index` of seed `seed` is
 * always the same request, so a failure reproduces from the two numbers alone.
 *
 * Nothing here may write. Every request is a read, is refused whole, or is a write that can
 * only conflict or be rejected: the fuzz user owns no rows, updates and deletes only ids that
 * are not theirs, inserts only ids that other users hold, writes read-only tables, and sends
 * commands that point at no vehicle model with a count out of range. Batches of well-formed
 * inserts always carry something that must refuse the whole batch (too many operations, an
 * opId twice, one malformed operation). The hostile part of a request never touches the
 * field that keeps it harmless.
 */

export type { Expectation } from './hostile/shared';
export { FOREIGN_TODO_IDS, FUZZ_USER, SECRET } from './hostile/shared';

export const REQUEST_KINDS = [
  'malformed',
  'wrong-types',
  'injection',
  'deep-and-wide',
  'huge-batch',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface HostileRequest {
  index: number;
  kind: RequestKind;
  /** Which generator case made it, for failure reports. */
  variant: string;
  expect: Expectation;
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer> | undefined;
}

const generators: Record<RequestKind, (random: Random) => Draft> = {
  malformed: malformedRequest,
  'wrong-types': wrongTypesRequest,
  injection: injectionRequest,
  'deep-and-wide': deepAndWideRequest,
  'huge-batch': hugeBatchRequest,
};

/** The request `index` of a run seeded with `seed`: the kinds take turns. */
export function generateRequest(seed: number, index: number): HostileRequest {
  const kind = REQUEST_KINDS[index % REQUEST_KINDS.length] as RequestKind;
  const random = createRandom(
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35),
  );
  const draft = generators[kind](random);
  const method = draft.method ?? 'POST';
  const bodiless = method === 'GET' || method === 'HEAD';
  const defaults: Record<string, string> = bodiless ? {} : { 'content-type': 'application/json' };
  return {
    index,
    kind,
    variant: draft.variant,
    expect: draft.expect,
    method,
    path: draft.path ?? '/graphql',
    headers: { ...defaults, [TEST_USER_HEADER]: FUZZ_USER, ...draft.headers },
    body: bodiless ? undefined : (draft.body ?? ''),
  };
}
