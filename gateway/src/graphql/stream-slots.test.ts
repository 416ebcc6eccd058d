import { describe, expect, it } from 'vitest';
import { StreamSlots } from './stream-slots';

describe('stream slots', () => {
  it('refuses one stream too many with LIMIT_EXCEEDED, per user, and takes one again once freed', () => {
    const slots = new StreamSlots(2);
    const first = slots.take('alice');
    slots.take('alice');
    let refusal: unknown;
    try {
      slots.take('alice');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({
      message: expect.stringContaining('the limit of open change streams per user is 2'),
      extensions: { code: 'LIMIT_EXCEEDED', http: { status: 429 } },
    });
    expect(() => slots.take('bob')).not.toThrow();
    first();
    first();
    expect(slots.count('alice')).toBe(1);
    expect(() => slots.take('alice')).not.toThrow();
    expect(slots.count('alice')).toBe(2);
  });
});
