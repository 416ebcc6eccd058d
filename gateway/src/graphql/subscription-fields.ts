import type { YogaInitialContext } from 'graphql-yoga';
import type { ChangeHub } from '../sync/change-hub';
import type { ChangeNotice } from '../sync/changes';
import type { ServedTable } from '../sync/tables';
import type { Builder } from './builder';
import { badInput } from './errors';
import type { GatewayLimits } from './limits';
import { StreamSlots } from './stream-slots';

/**
 * `changes(tables)`: hints to pull, sent after commits; never row data. Each user may hold
 * `limits.maxStreamsPerUser` streams open on this gateway; one more is refused.
 */
export function addSubscriptionField(
  builder: Builder,
  tables: readonly ServedTable[],
  hub: ChangeHub,
  limits: Pick<GatewayLimits, 'maxStreamsPerUser'>,
  onHint: (table: string) => void = () => {},
) {
  const slots = new StreamSlots(limits.maxStreamsPerUser);
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
        const release = slots.take(context.userId);
        try {
          await hub.start();
        } catch (error) {
          release();
          throw error;
        }
        // Owned tables: only the owner hears that their rows changed. The stream's end,
        // however it comes, gives its place back.
        const hints = hub.subscribe(
          (change) =>
            wanted.has(change.table) && (change.owner === null || change.owner === context.userId),
          release,
        );
        // A client gone before its stream was ever read: its stream will never be cancelled.
        const { request } = context as Partial<YogaInitialContext>;
        if (request?.signal.aborted) hints.end();
        else request?.signal.addEventListener('abort', () => hints.end(), { once: true });
        return hints;
      },
      // Runs once per hint sent on a stream.
      resolve: (change) => {
        onHint(change.table);
        return change;
      },
    }),
  );
}
