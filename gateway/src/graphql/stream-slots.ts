import { createGraphQLError } from 'graphql-yoga';

/**
 * The change streams each user has open on this gateway process, at most `max` each. A
 * place is taken when a `changes` subscription starts and given back as soon as its stream
 * ends, however it ends: the client went away, the drain on SIGTERM cut it, or it completed.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** How many streams `user` has open now. */
  count(user: string): number {
    return this.open.get(user) ?? 0;
  }

  /**
   * Takes a place for `user`, or throws LIMIT_EXCEEDED (HTTP 429) when they hold `max`
   * already. Returns the release, which gives the place back once however often it is called.
   */
  take(user: string): () => void {
    const held = this.count(user);
    if (held >= this.max) throw tooManyStreams(this.max);
    this.open.set(user, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(user) - 1;
      if (left > 0) this.open.set(user, left);
      else this.open.delete(user);
    };
  }
}

function tooManyStreams(max: number) {
  return createGraphQLError(
    `changes: the limit of open change streams per user is ${max} on this gateway; close one (another tab or device) or try again later`,
    { extensions: { code: 'LIMIT_EXCEEDED', field: 'changes', http: { status: 429 } } },
  );
}
