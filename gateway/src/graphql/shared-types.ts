import {
  CONFLICT_CODES,
  OPERATION_KINDS,
  OUTCOME_STATUSES,
  REJECTION_CODES,
} from '@syncline/schema';
import type { Builder } from './builder';
import type { FilterName } from './column-types';

/** The enums and filter inputs every table's types use. */
export function addSharedTypes(builder: Builder) {
  const kind = builder.enumType('OperationKind', { values: OPERATION_KINDS });
  const status = builder.enumType('OutcomeStatus', {
    values: OUTCOME_STATUSES,
    description:
      'APPLIED: stored. CONFLICT: row is the server row. REJECTED: can never succeed as sent.',
  });
  const code = builder.enumType('OutcomeCode', {
    values: [...CONFLICT_CODES, ...REJECTION_CODES],
    description: 'Why an operation was not applied.',
  });
  const filter = (name: FilterName, type: 'String' | 'Int' | 'Float' | 'Boolean' | 'DateTime') =>
    builder.inputType(name, {
      description: `Conditions on one ${type} column, all of which must hold.`,
      fields: (t) => ({
        eq: t.field({ type }),
        ne: t.field({ type, description: 'Not equal; rows without a value match too.' }),
        ...(type === 'Boolean'
          ? {}
          : {
              in: t.field({ type: [type] }),
              lt: t.field({ type }),
              lte: t.field({ type }),
              gt: t.field({ type }),
              gte: t.field({ type }),
            }),
        ...(type === 'String'
          ? { contains: t.string({ description: 'Case-sensitive substring.' }) }
          : {}),
        isNull: t.boolean(),
      }),
    });
  const filters = {
    StringFilter: filter('StringFilter', 'String'),
    IntFilter: filter('IntFilter', 'Int'),
    FloatFilter: filter('FloatFilter', 'Float'),
    BooleanFilter: filter('BooleanFilter', 'Boolean'),
    DateTimeFilter: filter('DateTimeFilter', 'DateTime'),
  } satisfies Record<FilterName, unknown>;
  return { kind, status, code, filters };
}

export type SharedTypes = ReturnType<typeof addSharedTypes>;
