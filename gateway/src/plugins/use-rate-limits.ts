import type { IncomingMessage } from 'node:http';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** How many requests one user (or, unauthenticated, one client address) may make. */
export interface RateLimits {
  /** GraphQL requests a minute, change streams excepted; 0: no limit. */
  requestsPerMinute: number;
  /** Change streams opened a minute; 0: no limit. */
  streamsPerMinute: number;
}

export type RateBudget = 'requests' | 'streams';

export interface RateLimitOptions {
  limits: RateLimits;
  /** Who is asking (the same promise the request's context awaits); rejects when unauthenticated. */
  identify(request: Request): Promise<string>;
  /** The user everyone is while the gateway is open: they are told apart by address instead. */
  anonymousUser: string;
  /** Proxies in front of the gateway: the client's address is this far from the end of X-Forwarded-For. */
  trustProxy: number;
  onLimited?(budget: RateBudget): void;
}

const MINUTE_S = 60;

/**
 * Per-user rate limits (rate-limiter-flexible, counted in this process's memory: behind a
 * balancer each gateway counts its own). A request over its budget is refused before its
 * body is read: HTTP 429, `Retry-After` in seconds and one LIMIT_EXCEEDED error. Opening a
 * change stream has a budget of its own. Requests are counted per authenticated user, and per
 * client address when the token is missing or refused, or the gateway is open.
 */
export function useRateLimits(options: RateLimitOptions): Plugin {
  const limiter = (points: number) =>
    points > 0 ? new RateLimiterMemory({ points, duration: MINUTE_S }) : undefined;
  const budgets = {
    requests: limiter(options.limits.requestsPerMinute),
    streams: limiter(options.limits.streamsPerMinute),
  };
  return {
    async onRequestParse({ request, serverContext }) {
      const budget: RateBudget = opensStream(request) ? 'streams' : 'requests';
      const limiter = budgets[budget];
      if (!limiter) return;
      const user = await options.identify(request).catch(() => undefined);
      const key =
        user !== undefined && user !== options.anonymousUser
          ? `user:${user}`
          : `address:${clientAddress(request, serverContext as { req?: IncomingMessage }, options.trustProxy)}`;
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        options.onLimited?.(budget);
        throw overBudget(
          budget,
          limiter.points,
          Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        );
      }
    },
  };
}

/**
 * A change stream asks for events only (`accept: text/event-stream`, as the client and
 * graphql-sse send it); a request that also takes JSON (urql's fetch lists every format it
 * reads, event streams included) is an ordinary one.
 */
function opensStream(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return accept.includes('text/event-stream') && !accept.includes('json');
}

function overBudget(budget: RateBudget, points: number, retryAfterS: number) {
  const what = budget === 'streams' ? 'change streams opened' : 'requests';
  const field = budget === 'streams' ? 'changes' : 'request';
  return createGraphQLError(
    `${field}: too many ${what}: the limit is ${points} a minute per user; try again in ${retryAfterS} s`,
    {
      extensions: {
        code: 'LIMIT_EXCEEDED',
        field,
        http: { status: 429, headers: { 'Retry-After': String(retryAfterS) } },
      },
    },
  );
}

/**
 * The client's address: the socket's peer, or, behind `trustProxy` proxies, the address the
 * outermost of them saw (each appends its peer to X-Forwarded-For, so entries further left
 * could be made up by the client). In process (`yoga.fetch`) there is no socket: "unknown".
 */
export function clientAddress(
  request: Request,
  serverContext: { req?: IncomingMessage } | undefined,
  trustProxy: number,
): string {
  const peer = serverContext?.req?.socket?.remoteAddress ?? 'unknown';
  if (trustProxy <= 0) return peer;
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return forwarded[forwarded.length - trustProxy] ?? forwarded[0] ?? peer;
}
