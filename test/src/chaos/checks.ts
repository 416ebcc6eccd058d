import type { ChaosDevice } from './device';
import type { Ledger } from './ledger';
import type { ModelRow, ServerView, TodoRow } from './server-view';

/** What the end of a run found wrong; every list empty is a pass. */
export type Findings = Record<FindingKind, string[]>;

export type FindingKind =
  /** Devices whose rows differ from the server's. */
  | 'divergent'
  /** Rows a device took back to an older version. */
  | 'regressions'
  /** Changes the server should hold and does not. */
  | 'lost'
  /** Changes the server holds more than once. */
  | 'doubled'
  /** Devices with operations still queued or unresolved after healing. */
  | 'stuck'
  /** Gateways that died without being asked, stopped badly, or clients that threw. */
  | 'crashes';

export function noFindings(): Findings {
  return { divergent: [], regressions: [], lost: [], doubled: [], stuck: [], crashes: [] };
}

/** Each device's rows against the server's: the same to-dos of its user, the same models. */
export async function compareDevices(devices: readonly ChaosDevice[], server: ServerView) {
  const divergent: string[] = [];
  for (const device of devices) {
    const client = await device.client();
    const differences: string[] = [];
    const serverTodos = [...(server.todos.get(device.user)?.values() ?? [])].filter(
      (row) => !row.deleted,
    );
    const local = new Map((await client.table('todoItem').find()).map((row) => [row.id, row]));
    for (const row of serverTodos) {
      const here = local.get(row.id);
      local.delete(row.id);
      const mismatch = here ? todoMismatch(row, here) : 'missing here';
      if (mismatch) differences.push(`todo ${row.id} ${mismatch}`);
    }
    for (const row of local.values()) {
      differences.push(`todo ${row.id} v${row.version} here, not live on the server`);
    }
    for (const row of await client.table('vehicleModel').find()) {
      const there = server.models.get(row.id);
      if (!there) differences.push(`model ${row.id} here, not on the server`);
      else if (there.version !== row.version || there.accoladeCount !== row.accoladeCount) {
        differences.push(
          `model ${row.id} v${row.version} (${row.accoladeCount}) here, v${there.version} (${there.accoladeCount}) there`,
        );
      }
    }
    if ((await client.table('vehicleModel').find()).length !== server.models.size) {
      differences.push('not every vehicle model is here');
    }
    if (differences.length > 0) {
      divergent.push(`${device.name} (${device.user}): ${differences.slice(0, 3).join('; ')}`);
    }
  }
  return divergent;
}

function todoMismatch(server: TodoRow, local: Record<string, unknown>): string | undefined {
  const fields = ['version', 'text', 'complete', 'dueDate'] as const;
  const differing = fields.filter((field) => (local[field] ?? null) !== (server[field] ?? null));
  if (differing.length === 0) return undefined;
  const show = (row: Record<string, unknown>) =>
    differing.map((field) => `${field}=${JSON.stringify(row[field] ?? null)}`).join(' ');
  return `here ${show(local)}, there ${show(server as unknown as Record<string, unknown>)}`;
}

/**
 * The server against the ledger: every to-do inserted is there (deleted only if a device
 * deleted it), every delete is a tombstone, every row's versions were each reported by an
 * applied operation's answer (a version nobody was told of is a write applied twice), and
 * each model's accolades and version grew by exactly the commands sent.
 */
export function checkLedger(ledger: Ledger, server: ServerView, seed: Map<string, ModelRow>) {
  const lost: string[] = [];
  const doubled = [...ledger.doubled];
  for (const [id, user] of ledger.inserted) {
    const row = server.todos.get(user)?.get(id);
    if (ledger.deleted.has(id)) {
      if (row && !row.deleted) lost.push(`the delete of todo ${id}: it is live at v${row.version}`);
    } else if (!row || row.deleted) {
      lost.push(`the insert of todo ${id}: ${row ? 'deleted' : 'absent'} on the server`);
    }
  }
  for (const rows of server.todos.values()) {
    for (const row of rows.values()) {
      const reported = ledger.versions.get(row.id) ?? new Set<number>();
      for (let version = 1; version <= row.version; version++) {
        if (!reported.has(version)) {
          doubled.push(
            `todo ${row.id} v${version}: no applied operation's answer reported it (the server is at v${row.version})`,
          );
          break;
        }
      }
      const beyond = [...reported].filter((version) => version > row.version);
      if (beyond.length > 0) {
        lost.push(
          `todo ${row.id}: answers reported v${Math.max(...beyond)}, the server has v${row.version}`,
        );
      }
    }
  }
  for (const [id, before] of seed) {
    const now = server.models.get(id);
    const given = ledger.accolades.get(id) ?? { count: 0, commands: 0 };
    if (!now) {
      lost.push(`model ${id} is gone`);
      continue;
    }
    const count = now.accoladeCount - before.accoladeCount;
    const versions = now.version - before.version;
    if (count !== given.count || versions !== given.commands) {
      const line = `model ${id}: ${given.commands} commands gave ${given.count} accolades; the server counted ${count} in ${versions} writes`;
      (count < given.count ? lost : doubled).push(line);
    }
  }
  return { lost, doubled };
}
