import { filter, pipe } from 'graphql-yoga';
import type { ChangeHub } from '../sync/change-hub';
import type { ChangeNotice } from '../sync/changes';
import type { ServedTable } from '../sync/tables';
import type { Builder } from './builder';
import { badInput } from './errors';

/** `changes(tables)`: hints to pull, sent after commits; never row data. */
export function addSubscriptionField(
  builder: Builder,
  tables: readonly ServedTable[],
  hub: ChangeHub,
) {
  const pullable = new Map(
    tables
      .filter((served) => served.info.access !== 'write')
      .map((served) => [served.info.name, served]),
  );
  const notice = builder.objectRef<ChangeNotice>('ChangeNotice').implement({
    description:
      'Something changed in `table`: pull it now. `cursor` is the position of the change.',
    fields: (t) => ({
      table: t.exposeString('table'),
      cursor: t.field({ type: 'Cursor', resolve: (parent) => parent.cursor }),
    }),
  });
  builder.subscriptionType({});
  builder.subscriptionField('changes', (t) =>
    t.field({
      type: notice,
      description: 'Change hints for the given tables (none: all that can be pulled).',
      args: { tables: t.arg.stringList() },
      subscribe: async (_root, args, context) => {
        for (const [index, name] of (args.tables ?? []).entries()) {
          if (!pullable.has(name)) {
            throw badInput(`tables[${index}]`, `"${name}" is not a table that can be pulled`);
          }
        }
        const wanted = new Set(args.tables ?? pullable.keys());
        await hub.start();
        return pipe(
          hub.subscribe(),
          filter((change: ChangeNotice) => {
            if (!wanted.has(change.table)) return false;
            // Owned tables: only the owner hears that their rows changed.
            return change.owner === null || change.owner === context.userId;
          }),
        );
      },
      resolve: (change) => change,
    }),
  );
}
