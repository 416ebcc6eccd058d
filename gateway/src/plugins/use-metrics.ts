import { createHash, timingSafeEqual } from 'node:crypto';
import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { RequestTracker } from './request-tracker';

export const METRICS_ENDPOINT = '/metrics';

export interface MetricsPluginOptions {
  metrics: GatewayMetrics;
  requests: RequestTracker;
  graphqlEndpoint: string;
  /** A scrape must send `Authorization: Bearer <token>`; none: anyone who reaches it may. */
  token?: string | undefined;
  /** Each pull field (`pullTodoItems`) and its table (`todoItem`). */
  pullFields: ReadonlyMap<string, string>;
}

/**
 * Serves the metrics at `/metrics` in Prometheus' text format (behind a bearer token when
 * one is set), and counts what only the HTTP and GraphQL layers see: every GraphQL request
 * by operation and status with its duration, and the rows each pull page sends (read from
 * the result, whichever way the pull ran).
 */
export function useMetrics(options: MetricsPluginOptions): Plugin {
  const { metrics, requests, graphqlEndpoint, pullFields } = options;
  const allowed = options.token === undefined ? () => true : bearerCheck(options.token);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_ENDPOINT) return;
      if (!allowed(request.headers.get('authorization'))) {
        endResponse(
          new fetchAPI.Response(
            'metrics: send the metrics token as Authorization: Bearer <token>\n',
            {
              status: 401,
              headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' },
            },
          ),
        );
        return;
      }
      return metrics.registry.metrics().then((text) => {
        endResponse(
          new fetchAPI.Response(text, {
            headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
          }),
        );
      });
    },
    onExecute({ args }) {
      const pulls = pullPages(args.document, args.operationName, pullFields);
      if (pulls.length === 0) return;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          const data = result.data as Record<string, Record<string, unknown> | null> | undefined;
          for (const { key, rowsKey, table } of pulls) {
            const rows = data?.[key]?.[rowsKey];
            if (Array.isArray(rows)) metrics.pulled(table, rows.length);
          }
        },
      };
    },
    onResponse({ request, response }) {
      if (new URL(request.url).pathname !== graphqlEndpoint) return;
      if (response.headers.get('content-type')?.startsWith('text/html')) return;
      const record = requests.of(request);
      metrics.request(
        record.operation,
        response.status,
        (performance.now() - record.started) / 1000,
      );
    },
  };
}

/** The pull fields an operation selects, with where their rows land in the result. */
function pullPages(
  document: DocumentNode,
  operationName: unknown,
  pullFields: ReadonlyMap<string, string>,
) {
  const name = typeof operationName === 'string' ? operationName : undefined;
  const pages: { key: string; rowsKey: string; table: string }[] = [];
  for (const selection of getOperationAST(document, name)?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    const table = pullFields.get(selection.name.value);
    const rows = selection.selectionSet?.selections.find(
      (inner) => inner.kind === Kind.FIELD && inner.name.value === 'rows',
    );
    if (!table || rows?.kind !== Kind.FIELD) continue;
    const key = selection.alias?.value ?? selection.name.value;
    pages.push({ key, rowsKey: rows.alias?.value ?? 'rows', table });
  }
  return pages;
}

/** Compares `Authorization: Bearer <token>` in constant time (both sides hashed first). */
function bearerCheck(token: string) {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(token);
  return (authorization: string | null) => {
    const sent = authorization?.match(/^Bearer (.+)$/)?.[1];
    return sent !== undefined && timingSafeEqual(digest(sent), expected);
  };
}
