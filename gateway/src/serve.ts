import { existsSync } from 'node:fs';
import type { PgTable } from 'drizzle-orm/pg-core';
import { createJwtAuthenticate } from './auth/jwt-auth';
import { ConfigError, type ServerConfig } from './config';
import { ANONYMOUS_USER, createGateway, GRAPHQL_ENDPOINT } from './create-gateway';
import { type Db, openDatabase } from './db/database';
import { createDrainer } from './drain';
import { createHttpServer } from './http-server';
import { createLogger } from './logger';
import { pruneExpired } from './sync/prune';

/** What `syncline start` serves, beside the settings read from the environment. */
export interface ServeOptions {
  config: ServerConfig;
  tables: readonly PgTable[];
  /** The Drizzle Kit migrations folder, applied before serving. */
  migrations: string;
  /** A built web app to serve at `/`; undefined: none. */
  appDir: string | undefined;
  /** Runs after the migrations, e.g. to seed reference data. */
  seed?: (db: Db) => Promise<void>;
}

/** What a stop keeps of its time for closing the database after the last request. */
const STOP_MARGIN_MS = 1000;

/**
 * Opens the database, migrates it and serves the tables over HTTP until SIGTERM or SIGINT,
 * then drains and exits: the `syncline start` command.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const { config, tables, appDir } = options;
  const logger = createLogger(config.logLevel, config.logFormat);
  if (appDir && !existsSync(`${appDir}/index.html`)) {
    throw new ConfigError(`there is no index.html in the app folder ${appDir}`);
  }
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    maxConnections: config.poolSize,
    logger,
  });
  await database.migrate(options.migrations);
  await options.seed?.(database.db);
  if (config.auth) {
    const how = config.auth.secret ? 'an HS256 secret' : `the keys at ${config.auth.jwksUrl}`;
    logger.info(`bearer tokens are verified with ${how}`);
  } else {
    logger.warn(
      `no authentication is configured (SYNCLINE_JWT_SECRET or SYNCLINE_JWKS_URL): the gateway is open, every request acts as the user "${ANONYMOUS_USER}"; for development only`,
    );
  }
  const gateway = createGateway({
    tables,
    database,
    logger,
    ...(config.auth ? { authenticate: createJwtAuthenticate(config.auth) } : {}),
    limits: config.limits,
    heartbeatMs: config.heartbeatMs,
    graphiql: config.graphiql,
    introspection: config.introspection,
    corsOrigins: config.corsOrigins,
    metrics: config.metrics,
    rateLimits: config.rateLimits,
    trustProxy: config.trustProxy,
  });
  if (config.metrics) {
    const how = config.metrics === true ? 'open to whoever reaches it' : 'behind its bearer token';
    logger.info(`metrics at /metrics, ${how}`);
  }
  const prune = () =>
    pruneExpired(database.db, tables, config.retentionMs)
      .then((result) => logger.info(result, 'pruned tombstones and stored outcomes'))
      .catch((error: unknown) => logger.error({ err: error }, 'prune failed'));
  await prune();
  const pruning = setInterval(prune, config.pruneIntervalMs);

  const server = createHttpServer(gateway, appDir ? { appDir } : {});
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, resolve);
    });
  } catch (error) {
    clearInterval(pruning);
    await gateway.dispose();
    await database.close();
    const inUse = (error as { code?: string }).code === 'EADDRINUSE';
    throw inUse
      ? new ConfigError(`PORT ${config.port} is already in use; set PORT to a free port`)
      : error;
  }
  const where = database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'Postgres';
  logger.info(`Syncline gateway on http://localhost:${config.port}${GRAPHQL_ENDPOINT} (${where})`);
  if (appDir) logger.info(`the app on http://localhost:${config.port}/ (${appDir})`);

  const drainer = createDrainer(server);
  const shutdown = async (signal: string) => {
    const seconds = config.shutdownTimeoutMs / 1000;
    logger.info(`${signal}: shutting down; requests in flight have ${seconds} s to finish`);
    clearInterval(pruning);
    // Whatever hangs (a database that does not answer), the process ends in time.
    setTimeout(() => {
      logger.warn(`the stop took over ${seconds} s: exiting now`);
      process.exit(0);
    }, config.shutdownTimeoutMs).unref();
    const { cut } = await drainer.drain(Math.max(0, config.shutdownTimeoutMs - STOP_MARGIN_MS));
    if (cut > 0) logger.warn(`${cut} requests were still running at the deadline: cut`);
    await gateway.dispose();
    await database.close();
    process.exit(0);
  };
  // A stop runs once; a signal repeated meanwhile changes nothing.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(signal);
    });
  }
}
