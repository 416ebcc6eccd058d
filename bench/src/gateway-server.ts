import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ANONYMOUS_USER,
  createGateway,
  GRAPHQL_ENDPOINT,
  type SyncDatabase,
} from '@syncline/gateway';
import { benchTables } from './bench-tables';
import { BENCH_USER_HEADER } from './fan-out-protocol';

/** A file served next to the gateway, for the browser benchmarks (same origin: no CORS). */
export interface StaticFile {
  contentType: string;
  body: string;
}

export interface BenchServer {
  /** The gateway's GraphQL endpoint. */
  readonly url: string;
  /** The server's origin; static files are under `${origin}/bench/`. */
  readonly origin: string;
  /** Serves `body` at `/bench/<name>`. */
  serve(name: string, file: StaticFile): void;
  close(): Promise<void>;
}

/**
 * The gateway over the bench tables, in this process, on `node:http` and a free port,
 * exactly as `gateway/src/server.ts` serves it (no auth: every request is `anonymous`, but
 * for the fan-out's subscribers, which say who they are in a header, and the propagation's
 * clients, whose bearer token is taken as their user).
 */
export async function startBenchServer(database: SyncDatabase): Promise<BenchServer> {
  const gateway = createGateway({
    tables: benchTables,
    database,
    graphiql: false,
    // Each fan-out subscriber is a user of its own, as 1,000 devices would be; so is each
    // client of the propagation benchmark, whose token is its user.
    authenticate: (request) =>
      request.headers.get(BENCH_USER_HEADER) ??
      request.headers.get('authorization')?.replace(/^Bearer /, '') ??
      ANONYMOUS_USER,
  });
  const files = new Map<string, StaticFile>();
  const server: Server = createServer((request, response) => {
    const file = request.url?.startsWith('/bench/') ? files.get(request.url.slice(7)) : undefined;
    if (file) {
      response.writeHead(200, { 'content-type': file.contentType });
      response.end(file.body);
      return;
    }
    void gateway(request, response);
  });
  // Long enough that no client finds its kept-alive connection closed between two runs (with
  // PGlite the database shares this thread, and a long baseline run delays every timer).
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}${GRAPHQL_ENDPOINT}`,
    origin,
    serve: (name, file) => files.set(name, file),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
