/** Someone who hears of every failed database call. */
export type DatabaseErrorListener = (error: unknown) => void;

/**
 * The listeners of one database's failures: failed queries (a constraint, a deadlock, a lost
 * connection), connections that could not be opened, and connections that died. A listener
 * that throws is ignored: counting a failure must never add one.
 */
export class DatabaseErrors {
  private readonly listeners = new Set<DatabaseErrorListener>();

  /** Calls `listener` with every failure from now on; returns the way to stop. */
  watch(listener: DatabaseErrorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly report = (error: unknown): void => {
    for (const listener of this.listeners) {
      try {
        listener(error);
      } catch {
        // A listener's own failure is its business.
      }
    }
  };

  /**
   * `call` reporting its failures, whether it answers with a promise or, as node-postgres
   * can, through a callback as its last argument. Its result is returned as it is.
   */
  reporting<F extends (...args: never[]) => unknown>(call: F): F {
    const report = this.report;
    return function (this: unknown, ...args: unknown[]) {
      const last = args.at(-1);
      if (typeof last === 'function') {
        args[args.length - 1] = (error: unknown, ...rest: unknown[]) => {
          if (error) report(error);
          return (last as (...callbackArgs: unknown[]) => unknown)(error, ...rest);
        };
        return call.apply(this, args as Parameters<F>);
      }
      const result = call.apply(this, args as Parameters<F>);
      if (result instanceof Promise) result.then(undefined, report);
      return result;
    } as unknown as F;
  }
}
