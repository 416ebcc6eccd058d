import type { TableDescription } from '@syncline/schema';
import type { SyncResult } from './create-sync-client';
import type { EngineContext } from './engine/context';
import { OUTBOX } from './engine/layout';
import { entriesOfTable } from './engine/outbox';
import {
  allQueries,
  type PullProgress,
  type PullResult,
  pullQuery,
  registerQuery,
} from './engine/pull';
import { pushOutbox } from './engine/push';
import type { PushResult } from './engine/push-result';
import type { SyncCoordinator } from './sync-coordinator';

const UNREACHABLE = 'the gateway cannot be reached (offline)';

/**
 * Push, pull and sync as the client runs them: one at a time, keeping the status. While the
 * client is offline it first probes the gateway, so that an attempt made with the network
 * down never sends operations (and so never marks them as possibly applied).
 */
export interface SyncReports {
  /** Every push's result. */
  pushed(result: PushResult): void;
  /** The gateway refused the token, also after a refresh. */
  unauthenticated(message: string): void;
}

export function createSyncOperations(
  context: EngineContext,
  coordinator: SyncCoordinator,
  reports: SyncReports,
) {
  async function reachable(): Promise<boolean> {
    if (!coordinator.offline || !context.transport.probe) return true;
    return context.transport.probe();
  }

  function track(result: { status: string; message?: string | undefined }): void {
    coordinator.setStatus(result.status === 'network-error' ? 'offline' : 'online');
    if (result.status === 'auth-error')
      reports.unauthenticated(result.message ?? 'unauthenticated');
  }

  async function pushNow(): Promise<PushResult> {
    if (!(await reachable())) {
      return { status: 'network-error', pushed: 0, errors: [], message: UNREACHABLE };
    }
    const result = await pushOutbox(context);
    track(result);
    reports.pushed(result);
    return result;
  }

  function push(): Promise<PushResult> {
    return coordinator.exclusive(pushNow);
  }

  function pull(
    table: TableDescription,
    queryId: string | null,
    where: Record<string, unknown> | null,
    onProgress?: (progress: PullProgress) => void,
  ): Promise<PullResult> {
    return coordinator.exclusive(async () => {
      if (queryId !== null) await registerQuery(context, table.name, queryId, where);
      // The whole outbox goes, in order, when this table has something in it.
      const pending = await context.store.read([OUTBOX], (tx) => entriesOfTable(tx, table.name));
      const pushed = pending.length > 0 ? await pushNow() : undefined;
      if (pushed?.status === 'network-error' && pushed.message === UNREACHABLE) {
        return { status: 'network-error', pulled: 0, push: pushed, message: UNREACHABLE };
      }
      const pulled = await pullQuery(context, {
        table,
        queryId,
        where,
        ...(onProgress ? { onProgress } : {}),
      });
      track(pulled);
      return pushed ? { ...pulled, push: pushed } : pulled;
    });
  }

  function sync(): Promise<SyncResult> {
    return coordinator.syncing(async () => {
      const pushed = await pushNow();
      const pulls: Record<string, PullResult> = {};
      if (pushed.status === 'network-error') return { status: pushed.status, push: pushed, pulls };
      for (const query of await allQueries(context)) {
        const table = context.tables.get(query.table);
        if (!table) continue;
        pulls[`${query.table}/${query.queryId}`] = await pullQuery(context, {
          table,
          queryId: query.queryId,
          where: query.where,
        });
      }
      const failed = Object.values(pulls).find((pulled) => pulled.status !== 'complete');
      if (failed?.status === 'auth-error') track(failed);
      const status = pushed.status !== 'complete' ? pushed.status : (failed?.status ?? 'complete');
      return { status, push: pushed, pulls };
    });
  }

  return { push, pull, sync };
}
