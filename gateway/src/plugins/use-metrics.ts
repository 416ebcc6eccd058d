import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { RequestTracker } from './request-tracker';

export const METRICS_ENDPOINT = '/metrics';

export interface MetricsPluginOptions {
  metrics: GatewayMetrics;
  requests: RequestTracker;
  graphqlEndpoint: string;
  /** A scrape must send `Authorization: Bearer <token>`; none: anyone who reaches it may. */
  token?: string | undefined;
}

/**
 * Serves the metrics at `/metrics` in Prometheus' text format (behind a bearer token when
 * one is set), and counts what only the HTTP layer sees: every GraphQL request by operation
 * and status with its duration.
 */
export function useMetrics(options: MetricsPluginOptions): Plugin {
  const { metrics, requests, graphqlEndpoint } = options;
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

/** Compares `Authorization: Bearer <token>` in constant time (both sides hashed first). */
function bearerCheck(token: string) {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(token);
  return (authorization: string | null) => {
    const sent = authorization?.match(/^Bearer (.+)$/)?.[1];
    return sent !== undefined && timingSafeEqual(digest(sent), expected);
  };
}
