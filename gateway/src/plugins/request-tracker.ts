import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';

/** The header that carries a request's id, in both directions. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An id a proxy may hand us: short, and only characters that cannot break a log line. */
const SANE_ID = /^[A-Za-z0-9._:+=@-]{1,128}$/;

/** What the gateway knows about one request while it runs. */
export interface RequestRecord {
  readonly id: string;
  /** The gateway's logger with `requestId` bound: every line about this request carries it. */
  readonly log: Logger;
  /** `performance.now()` when it arrived. */
  readonly started: number;
  /** The root field it runs ("multiple", "none" until a valid document is known). */
  operation: string;
  userId?: string;
}

/**
 * Gives every request an id (the `x-request-id` a proxy sent, when it looks sane; else a new
 * UUID), answers it in the same header, and keeps a child logger with it, which whatever
 * runs for the request finds with `log()` (AsyncLocalStorage, entered around the whole
 * request by the plugin's `instrumentation`).
 */
export class RequestTracker {
  private readonly records = new WeakMap<Request, RequestRecord>();
  private readonly scope = new AsyncLocalStorage<RequestRecord>();

  constructor(private readonly logger: Logger) {}

  /** The request's record, made on first sight. */
  of(request: Request): RequestRecord {
    let record = this.records.get(request);
    if (!record) {
      const incoming = request.headers.get(REQUEST_ID_HEADER);
      const id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
      record = {
        id,
        log: this.logger.child({ requestId: id }),
        started: performance.now(),
        operation: 'none',
      };
      this.records.set(request, record);
    }
    return record;
  }

  /** The logger for what runs now: the request's inside one, else the gateway's own. */
  log(): Logger {
    return this.scope.getStore()?.log ?? this.logger;
  }

  /** The Yoga plugin that does the above and logs one line per GraphQL request answered. */
  plugin(graphqlEndpoint: string): Plugin {
    const known = (context: unknown) => {
      const { request, userId } = context as Partial<YogaInitialContext> & { userId?: string };
      return request && { record: this.of(request), userId };
    };
    const noteOperation = (document: DocumentNode, operationName: unknown, context: unknown) => {
      const found = known(context);
      if (!found) return;
      found.record.operation = operationLabel(document, operationName);
      if (found.userId !== undefined) found.record.userId = found.userId;
    };
    return {
      instrumentation: {
        request: ({ request }, wrapped) => this.scope.run(this.of(request), wrapped),
      },
      onExecute({ args }) {
        noteOperation(args.document, args.operationName, args.contextValue);
      },
      onSubscribe({ args }) {
        noteOperation(args.document, args.operationName, args.contextValue);
      },
      onResponse: ({ request, response }) => {
        const record = this.of(request);
        response.headers.set(REQUEST_ID_HEADER, record.id);
        if (new URL(request.url).pathname !== graphqlEndpoint) return;
        if (response.headers.get('content-type')?.startsWith('text/html')) return;
        const { operation, userId } = record;
        const ms = Math.round(performance.now() - record.started);
        record.log.info(
          { operation, status: response.status, ms, ...(userId ? { userId } : {}) },
          `${operation} answered ${response.status} in ${ms} ms`,
        );
      },
    };
  }
}

/**
 * A bounded name for what a validated document runs: its root field when it has one (e.g.
 * `pullTodoItems`, `push`, `changes`, `__typename`), else "multiple". Never the client's
 * operation name, which anyone could make up by the million.
 */
export function operationLabel(document: DocumentNode, operationName: unknown): string {
  const operation = getOperationAST(
    document,
    typeof operationName === 'string' ? operationName : undefined,
  );
  const selections = operation?.selectionSet.selections ?? [];
  const [only] = selections;
  return selections.length === 1 && only?.kind === Kind.FIELD ? only.name.value : 'multiple';
}
