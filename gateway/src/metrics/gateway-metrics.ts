import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncDatabase } from '../db/database';
import type { WriteOutcome } from '../sync/outcomes';
import type { ReadAheadOutcome } from '../sync/read-ahead';
import { watchDatabase } from './database-metrics';

/** What the metrics read when they are scraped rather than when something happens. */
export interface MetricSources {
  database: SyncDatabase;
  /** Change streams open now on this gateway process. */
  openStreams(): number;
}

/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own so that several
 * gateways in one process never mix theirs. Every family is named `syncline_...`; the
 * process's default metrics (`process_...`, `nodejs_...`) come along. docs/deployment.md
 * lists them.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'syncline_requests_total',
    help: 'GraphQL requests answered, by operation (the root field, "multiple" for several, "none" when the request was refused before a valid document) and HTTP status.',
    labelNames: ['operation', 'status'],
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: 'syncline_request_duration_seconds',
    help: 'Time from a GraphQL request to its response (for a change stream, until the stream opens), by operation and HTTP status.',
    labelNames: ['operation', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly pulledRows = new Counter({
    name: 'syncline_pull_rows_total',
    help: 'Rows (tombstones included) sent in pull pages, by table.',
    labelNames: ['table'],
    registers: [this.registry],
  });
  private readonly pullPaths = new Counter({
    name: 'syncline_compiled_pulls_total',
    help: 'Pulls plain enough for the compiled fast path (every pull the client sends is), by table and the path that answered: compiled, or graphql when the compiled attempt failed and GraphQL answered (with the error).',
    labelNames: ['table', 'path'],
    registers: [this.registry],
  });
  private readonly pagesReadAhead = new Counter({
    name: 'syncline_pull_pages_read_ahead_total',
    help: 'Pull pages read ahead that a request asked for, by outcome: used (answered as read), stale (the table changed since; read again), failed (the read failed; read again).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly outcomes = new Counter({
    name: 'syncline_push_outcomes_total',
    help: 'Outcomes of pushed operations (push and the per-table insert, update and delete; replays too), by table, status (APPLIED, CONFLICT, REJECTED) and code ("none" when applied).',
    labelNames: ['table', 'status', 'code'],
    registers: [this.registry],
  });
  private readonly conflicts = new Counter({
    name: 'syncline_conflicts_total',
    help: 'Pushed operations answered CONFLICT, by table and code (VERSION_MISMATCH, ALREADY_EXISTS, NOT_FOUND, DELETED).',
    labelNames: ['table', 'code'],
    registers: [this.registry],
  });
  private readonly hints = new Counter({
    name: 'syncline_hints_sent_total',
    help: 'Change hints sent on change streams (one per stream that got it), by table.',
    labelNames: ['table'],
    registers: [this.registry],
  });
  private readonly limited = new Counter({
    name: 'syncline_rate_limited_total',
    help: 'Requests refused with HTTP 429 by the rate limiter, by budget (requests, streams).',
    labelNames: ['budget'],
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'syncline_live_subscribers',
      help: 'Change streams (changes subscriptions) open on this gateway process.',
      registers: [this.registry],
      collect() {
        this.set(sources.openStreams());
      },
    });
    watchDatabase(this.registry, sources.database);
  }

  request(operation: string, status: number, seconds: number): void {
    const labels = { operation, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  pulled(table: string, rows: number): void {
    this.pulledRows.inc({ table }, rows);
  }

  pulledOn(table: string, path: 'compiled' | 'graphql'): void {
    this.pullPaths.inc({ table, path });
  }

  pageReadAhead(outcome: ReadAheadOutcome): void {
    this.pagesReadAhead.inc({ outcome });
  }

  answered(outcomes: readonly WriteOutcome[]): void {
    for (const { table, status, code } of outcomes) {
      this.outcomes.inc({ table, status, code: code ?? 'none' });
      if (status === 'CONFLICT') this.conflicts.inc({ table, code: code ?? 'none' });
    }
  }

  hintSent(table: string): void {
    this.hints.inc({ table });
  }

  rateLimited(budget: 'requests' | 'streams'): void {
    this.limited.inc({ budget });
  }
}
