import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ConflictCode,
  isApplied,
  isConflict,
  isRejected,
  type Outcome,
  type RejectionCode,
} from './protocol';

type Row = { id: string; version: number };

const outcomes: Outcome<Row>[] = [
  { opId: 'a', status: 'APPLIED', code: null, message: null, row: { id: 'r', version: 2 } },
  { opId: 'b', status: 'CONFLICT', code: 'DELETED', message: 'gone', row: null },
  { opId: 'c', status: 'REJECTED', code: 'FORBIDDEN', message: 'not yours', row: null },
];

describe('outcomes', () => {
  it('are told apart by the guards, one status each', () => {
    expect(outcomes.map(isApplied)).toEqual([true, false, false]);
    expect(outcomes.map(isConflict)).toEqual([false, true, false]);
    expect(outcomes.map(isRejected)).toEqual([false, false, true]);
  });

  it('narrow to the fields each status carries', () => {
    const [outcome] = outcomes as [Outcome<Row>];
    if (isApplied(outcome)) {
      expectTypeOf(outcome.row).toEqualTypeOf<Row>();
      expectTypeOf(outcome.code).toEqualTypeOf<null>();
    }
    if (isConflict(outcome)) {
      expectTypeOf(outcome.code).toEqualTypeOf<ConflictCode>();
      expectTypeOf(outcome.row).toEqualTypeOf<Row | null>();
    }
    if (isRejected(outcome)) {
      expectTypeOf(outcome.code).toEqualTypeOf<RejectionCode>();
      expectTypeOf(outcome.row).toEqualTypeOf<null>();
    }
    if (outcome.status === 'CONFLICT') expectTypeOf(outcome.code).toEqualTypeOf<ConflictCode>();
    expect(outcome.row?.version).toBe(2);
  });
});
