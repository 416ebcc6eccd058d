export type { JwtAuthOptions } from './auth/jwt-auth';
export { createJwtAuthenticate, unauthenticated } from './auth/jwt-auth';
export type { SynclineConfig } from './cli/config-file';
export { defineConfig } from './cli/config-file';
export type { LogFormat, ServerConfig } from './config';
export { ConfigError, DEFAULT_RATE_LIMITS, readConfig } from './config';
export type { Gateway, GatewayOptions } from './create-gateway';
export { ANONYMOUS_USER, createGateway, GRAPHQL_ENDPOINT } from './create-gateway';
export type {
  ConnectionUse,
  Db,
  OpenDatabaseOptions,
  ReadRows,
  SyncDatabase,
} from './db/database';
export { MEMORY, openDatabase } from './db/database';
export {
  changeSequence,
  ownerMove,
  pruneHorizon,
  storedOutcome,
  systemTables,
} from './db/system-tables';
export type { Drainer, DrainResult } from './drain';
export { createDrainer } from './drain';
export type { GatewayContext } from './graphql/builder';
export type { GatewayLimits } from './graphql/limits';
export { DEFAULT_LIMITS } from './graphql/limits';
export type { HttpServerOptions } from './http-server';
export { createHttpServer } from './http-server';
export { createLogger } from './logger';
export { REQUEST_ID_HEADER } from './plugins/request-tracker';
export { METRICS_ENDPOINT } from './plugins/use-metrics';
export type { RateLimits } from './plugins/use-rate-limits';
export { CHANGES_CHANNEL } from './sync/changes';
export type { PruneResult } from './sync/prune';
export { pruneExpired } from './sync/prune';
