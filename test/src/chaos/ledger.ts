/** What a push answer says of one operation, as far as the ledger cares. */
export interface ObservedOutcome {
  opId: string;
  status: string;
  row: { __typename?: string; id: string; version: number } | null;
}

/**
 * What the devices did, written down as they did it, to hold the server to at the end:
 * which to-dos were inserted and deleted, how many accolades each model was given, and
 * which row version every applied operation's answer reported.
 */
export class Ledger {
  /** To-do ids inserted, with their owner. */
  readonly inserted = new Map<string, string>();
  /** To-do ids some device deleted. */
  readonly deleted = new Set<string>();
  /** Per vehicle model: accolades given and commands sent. */
  readonly accolades = new Map<string, { count: number; commands: number }>();
  /** Per to-do: the versions that answers of applied operations reported. */
  readonly versions = new Map<string, Set<number>>();
  /** Operations answered twice with different rows: a replay that was not the first outcome. */
  readonly doubled: string[] = [];
  readonly #applied = new Map<string, number>();

  accolade(model: string, count: number): void {
    const known = this.accolades.get(model) ?? { count: 0, commands: 0 };
    this.accolades.set(model, { count: known.count + count, commands: known.commands + 1 });
  }

  /** Every outcome a device received. */
  outcome(outcome: ObservedOutcome): void {
    const { row } = outcome;
    if (outcome.status !== 'APPLIED' || row?.__typename !== 'TodoItem') return;
    const first = this.#applied.get(outcome.opId);
    if (first !== undefined && first !== row.version) {
      this.doubled.push(
        `operation ${outcome.opId} on ${row.id} was answered APPLIED with v${first}, then with v${row.version}`,
      );
    }
    this.#applied.set(outcome.opId, first ?? row.version);
    const seen = this.versions.get(row.id) ?? new Set<number>();
    seen.add(row.version);
    this.versions.set(row.id, seen);
  }
}
