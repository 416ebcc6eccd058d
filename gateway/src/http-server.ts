import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import sirv from 'sirv';
import { type Gateway, GRAPHQL_ENDPOINT } from './create-gateway';
import { READY_ENDPOINT } from './plugins/use-database-readiness';
import { METRICS_ENDPOINT } from './plugins/use-metrics';

export interface HttpServerOptions {
  /**
   * A built web app (index.html and its assets) to serve at `/`; GraphQL stays at /graphql,
   * and `/health`, `/ready` and `/metrics` go to the gateway too.
   */
  appDir?: string | undefined;
}

const APP_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The gateway over HTTP, with a web app beside it. The app's hashed assets are cached for
 * good; its index.html is revalidated, so a new deploy reaches open tabs on reload. Paths
 * the app does not have get index.html (client-side routes).
 */
export function createHttpServer(gateway: Gateway, options: HttpServerOptions = {}): Server {
  const dir = options.appDir && existsSync(options.appDir) ? options.appDir : undefined;
  const serve = (root: string, single: boolean) =>
    sirv(root, {
      single,
      etag: true,
      setHeaders(res, pathname) {
        for (const [name, value] of Object.entries(APP_HEADERS)) res.setHeader(name, value);
        res.setHeader(
          'Cache-Control',
          pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  const app = dir ? serve(dir, true) : undefined;
  // A missing asset is a 404, never index.html: no cache may keep HTML as a script.
  const assets = dir ? serve(dir, false) : undefined;
  return createServer((req, res) => {
    const path = req.url ?? '/';
    const forGateway =
      !app ||
      path === GRAPHQL_ENDPOINT ||
      path.startsWith(`${GRAPHQL_ENDPOINT}?`) ||
      path.startsWith(`${GRAPHQL_ENDPOINT}/`) ||
      path.startsWith('/health') ||
      path.startsWith(READY_ENDPOINT) ||
      path === METRICS_ENDPOINT ||
      path.startsWith(`${METRICS_ENDPOINT}?`);
    if (forGateway) return void gateway(req, res);
    const from = assets && path.startsWith('/assets/') ? assets : app;
    from(req, res, () => void gateway(req, res));
  });
}
