import type { TableDescription } from '@syncline/schema';
import type { SyncResult } from '../client-types';
import type { EngineContext } from '../engine/context';
import { OUTBOX } from '../engine/layout';
import { entriesOfTable } from '../engine/outbox';
import { type PullProgress, type PullResult, pullQuery } from '../engine/pull';
import { pushOutbox } from '../engine/push';
import type { PushResult } from '../engine/push-result';
import { allQueries, registerQuery } from '../engine/queries';

const UNREACHABLE = 'the gateway cannot be reached (offline)';

/** What a run tells the loop, and asks of it. */
export interface RunReports {
  /** The network was down at the last attempt: a probe goes first, so nothing is sent blind. */
  isOffline(): boolean;
  /**
   * A request's result: `network-error` means offline, anything else that the gateway
   * answered; `retryAfterMs`, that it asked to slow down.
   */
  answered(result: {
    status: string;
    message?: string | undefined;
    retryAfterMs?: number | undefined;
  }): void;
  /** Every push's result. */
  pushed(result: PushResult): void;
}

export type SyncRuns = ReturnType<typeof createSyncRuns>;

/**
 * How the device pushes, pulls and syncs; when it does is the sync loop's business. While
 * the device is offline a run first probes the gateway, so that an attempt made with the
 * network down never sends operations (and so never marks them as possibly applied).
 */
export function createSyncRuns(context: EngineContext, reports: RunReports) {
  async function reachable(): Promise<boolean> {
    if (!reports.isOffline() || !context.transport.probe) return true;
    return context.transport.probe();
  }

  async function push(): Promise<PushResult> {
    if (!(await reachable())) {
      return { status: 'network-error', pushed: 0, errors: [], message: UNREACHABLE };
    }
    const result = await pushOutbox(context);
    reports.answered(result);
    reports.pushed(result);
    return result;
  }

  async function pull(
    table: TableDescription,
    queryId: string | null,
    where: Record<string, unknown> | null,
    onProgress?: (progress: PullProgress) => void,
  ): Promise<PullResult> {
    if (queryId !== null) await registerQuery(context, table.name, queryId, where);
    // The whole outbox goes, in order, when this table has something in it.
    const pending = await context.store.read([OUTBOX], (tx) => entriesOfTable(tx, table.name));
    const pushed = pending.length > 0 ? await push() : undefined;
    if (pushed?.status === 'network-error' && pushed.message === UNREACHABLE) {
      return { status: 'network-error', pulled: 0, push: pushed, message: UNREACHABLE };
    }
    const pulled = await pullQuery(context, {
      table,
      queryId,
      where,
      ...(onProgress ? { onProgress } : {}),
    });
    reports.answered(pulled);
    return pushed ? { ...pulled, push: pushed } : pulled;
  }

  /** Pulls every registered query of these tables (or of all), answering one result each. */
  async function pullRegistered(tables?: ReadonlySet<string>) {
    const pulls: Record<string, PullResult> = {};
    for (const query of await allQueries(context)) {
      const table = context.tables.get(query.table);
      if (!table || (tables && !tables.has(query.table))) continue;
      const pulled = await pullQuery(context, {
        table,
        queryId: query.queryId,
        where: query.where,
      });
      pulls[`${query.table}/${query.queryId}`] = pulled;
      if (pulled.status === 'complete') continue;
      reports.answered(pulled);
      // The next pulls would fail the same way.
      if (pulled.status === 'network-error' || pulled.status === 'auth-error') break;
      if (pulled.retryAfterMs !== undefined) break;
    }
    return pulls;
  }

  async function sync(): Promise<SyncResult> {
    const pushed = await push();
    // Offline, or asked to slow down: the pulls would fail the same way.
    if (pushed.status === 'network-error' || pushed.retryAfterMs !== undefined)
      return { status: pushed.status, push: pushed, pulls: {} };
    const pulls = await pullRegistered();
    const failed = Object.values(pulls).find((pulled) => pulled.status !== 'complete');
    const status = pushed.status !== 'complete' ? pushed.status : (failed?.status ?? 'complete');
    return { status, push: pushed, pulls };
  }

  return { push, pull, pullRegistered, sync };
}
