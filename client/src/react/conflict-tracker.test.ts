import { describe, expect, it } from 'vitest';
import type { PushError, PushResult } from '../engine/push-result';
import { ConflictTracker } from './conflict-tracker';

const error = (opId: string) => ({ operation: { opId } }) as PushError;
const push = (status: PushResult['status'], errors: PushError[]): PushResult => ({
  status,
  pushed: 0,
  errors,
});

function tracked() {
  let emit: (result: PushResult) => void = () => {};
  const tracker = new ConflictTracker((listener) => {
    emit = listener;
  });
  const seen: string[][] = [];
  tracker.subscribe(() => seen.push(tracker.errors.map((kept) => kept.operation.opId)));
  return { tracker, emit: (result: PushResult) => emit(result), seen };
}

describe('ConflictTracker', () => {
  it('a complete push replaces the list: what it reported is all that stays', () => {
    const { emit, seen } = tracked();
    emit(push('complete', [error('a'), error('b')]));
    emit(push('complete', [error('b')]));
    emit(push('complete', []));
    emit(push('complete', []));
    expect(seen).toEqual([['a', 'b'], ['b'], []]);
  });

  it('a push that stopped early only adds or refreshes what it reported', () => {
    const { emit, seen } = tracked();
    emit(push('complete', [error('a'), error('b')]));
    emit(push('network-error', []));
    emit(push('aborted', [error('b'), error('c')]));
    expect(seen).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
  });

  it('forget takes a decided error off the list', () => {
    const { tracker, emit } = tracked();
    emit(push('complete', [error('a'), error('b')]));
    tracker.forget(error('a'));
    expect(tracker.errors.map((kept) => kept.operation.opId)).toEqual(['b']);
  });
});
