import {
  asOperation,
  freshInsert,
  harmlessOperation,
  malformedOperation,
  setField,
} from './operations';
import { body, type Draft, type Expectation, PUSH, type Random } from './shared';

/**
 * Pushes past the operation limit, with huge data, with an opId twice, with one malformed
 * operation among valid ones. Batches of valid inserts are always refused whole.
 */
export function hugeBatchRequest(random: Random): Draft {
  switch (random.int(0, 5)) {
    case 0: {
      const operations = Array.from({ length: random.int(501, 900) }, (_, i) => freshInsert(i));
      return {
        variant: 'over 500 operations',
        expect: 'refused',
        body: body(PUSH, { operations }),
      };
    }
    case 1: {
      const size = random.int(10_000, 400_000);
      const huge = random.pick(['x', 'é', '😀', "'; --"]).repeat(size).slice(0, size);
      if (random.chance(0.5)) {
        const template = harmlessOperation(random);
        setField(template.op, random.pick(template.strings), huge);
        const operations = [asOperation(template)];
        return {
          variant: 'huge data, harmless',
          expect: 'no-write',
          body: body(PUSH, { operations }),
        };
      }
      const operations = [freshInsert(0, huge), malformedOperation(random)];
      return {
        variant: 'huge data, refused batch',
        expect: 'refused',
        body: body(PUSH, { operations }),
      };
    }
    case 2: {
      const count = random.int(2, 400);
      const operations = Array.from({ length: count }, (_, i) => freshInsert(i));
      const original = random.int(0, count - 1);
      const copy = (original + random.int(1, count - 1)) % count;
      const { opId } = freshInsert(original).todoItem;
      operations[copy] = { todoItem: { ...freshInsert(count).todoItem, opId } };
      return { variant: 'duplicate opIds', expect: 'refused', body: body(PUSH, { operations }) };
    }
    case 3: {
      const count = random.int(1, 400);
      const operations: unknown[] = Array.from({ length: count }, (_, i) => freshInsert(i));
      operations.splice(random.int(0, count), 0, malformedOperation(random));
      return {
        variant: 'valid operations and one malformed',
        expect: 'refused',
        body: body(PUSH, { operations }),
      };
    }
    case 4: {
      const operations = Array.from({ length: random.int(2, 12) }, () =>
        asOperation(harmlessOperation(random)),
      );
      return {
        variant: 'harmless operations',
        expect: 'no-write',
        body: body(PUSH, { operations }),
      };
    }
    default: {
      const operations = random.pick<unknown>([[], null, [null], 'x', {}, [[freshInsert(0)]]]);
      const expect: Expectation =
        Array.isArray(operations) && operations.length === 0 ? 'no-write' : 'refused';
      return { variant: 'empty or null operations', expect, body: body(PUSH, { operations }) };
    }
  }
}
