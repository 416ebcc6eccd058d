import { fileURLToPath } from 'node:url';
import { type JwtAuthOptions, MIN_SECRET_LENGTH } from './auth/jwt-auth';
import { DEFAULT_POOL_SIZE } from './db/database';
import type { GatewayLimits } from './graphql/limits';
import { DEFAULT_LIMITS } from './graphql/limits';
import { DEFAULT_HEARTBEAT_MS } from './plugins/use-heartbeats';
import type { RateLimits } from './plugins/use-rate-limits';

/** The server's configuration, read from the environment; see README, "Configuration". */
export interface ServerConfig {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  retentionMs: number;
  pruneIntervalMs: number;
  /** How long a stop (SIGTERM, SIGINT) may take: requests in flight get this long to finish. */
  shutdownTimeoutMs: number;
  limits: GatewayLimits;
  /** How often each change stream sends a heartbeat. */
  heartbeatMs: number;
  graphiql: boolean;
  /** Answer introspection queries; off by default when NODE_ENV is production. */
  introspection: boolean;
  /** Origins that may call from a browser (CORS); by default none in production, any otherwise. */
  corsOrigins: string[] | '*';
  logLevel: string;
  /** `json` lines (production), or `pretty` ones for people (development). */
  logFormat: LogFormat;
  /** `/metrics`: off, open to whoever reaches it, or behind a bearer token. */
  metrics: boolean | { token: string };
  /** Requests and change streams a minute per user (0: no limit). */
  rateLimits: RateLimits;
  /** Proxies in front of the gateway, whose X-Forwarded-For tells the client's address. */
  trustProxy: number;
  /** Connections the pool may open to a Postgres server (one more listens for changes). */
  poolSize: number;
  /** The web app served at `/`; `appDirSet` says whether it was asked for explicitly. */
  appDir: string;
  appDirSet: boolean;
  /** How bearer tokens are verified; undefined runs the gateway open, for development. */
  auth: JwtAuthOptions | undefined;
}

export type LogFormat = 'json' | 'pretty';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The server's rate limits per user and per minute: well above what a user's devices send
 * (the client syncs every 30 s, after writes and on change hints; `pnpm chaos` has three busy
 * devices a user), low enough that one token cannot flood a gateway. See docs/deployment.md.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 6000, streamsPerMinute: 300 };

/** The shortest metrics token: a guessable one would be no protection. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

/** The demo app's build, served at `/` when it exists. */
export const DEMO_APP_DIR = fileURLToPath(new URL('../../demo/dist', import.meta.url));

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const number = (name: string, fallback: number, min = 1) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) {
      throw new ConfigError(`${name} must be a number of at least ${min}, got "${raw}"`);
    }
    return value;
  };
  const production = env.NODE_ENV === 'production';
  const flag = (name: string, fallback: boolean) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw !== 'true' && raw !== 'false') {
      throw new ConfigError(`${name} must be true or false, got "${raw}"`);
    }
    return raw === 'true';
  };
  return {
    port: number('PORT', 4000, 0),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.SYNCLINE_DATA_DIR || './.syncline',
    retentionMs: number('SYNCLINE_RETENTION_DAYS', 30, 0) * DAY_MS,
    pruneIntervalMs: number('SYNCLINE_PRUNE_INTERVAL_MINUTES', 60) * 60 * 1000,
    shutdownTimeoutMs: number('SYNCLINE_SHUTDOWN_TIMEOUT_SECONDS', 10) * 1000,
    limits: {
      pullDefault: number('SYNCLINE_PULL_DEFAULT_LIMIT', DEFAULT_LIMITS.pullDefault),
      pullMax: number('SYNCLINE_PULL_MAX_LIMIT', DEFAULT_LIMITS.pullMax),
      pullMaxPages: number('SYNCLINE_PULL_MAX_PAGES', DEFAULT_LIMITS.pullMaxPages),
      pushMaxOperations: number('SYNCLINE_PUSH_MAX_OPERATIONS', DEFAULT_LIMITS.pushMaxOperations),
      maxBodyBytes: number('SYNCLINE_MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes),
      maxDepth: number('SYNCLINE_MAX_DEPTH', DEFAULT_LIMITS.maxDepth),
      maxAliases: number('SYNCLINE_MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0),
      maxCost: number('SYNCLINE_MAX_COST', DEFAULT_LIMITS.maxCost),
      maxTokens: number('SYNCLINE_MAX_TOKENS', DEFAULT_LIMITS.maxTokens),
      maxDirectives: number('SYNCLINE_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0),
      maxStreamsPerUser: number('SYNCLINE_MAX_STREAMS_PER_USER', DEFAULT_LIMITS.maxStreamsPerUser),
    },
    heartbeatMs: readHeartbeatMs(number('SYNCLINE_HEARTBEAT_SECONDS', DEFAULT_HEARTBEAT_MS / 1000)),
    graphiql: flag('SYNCLINE_GRAPHIQL', !production),
    introspection: flag('SYNCLINE_INTROSPECTION', !production),
    corsOrigins: readCorsOrigins(env.SYNCLINE_CORS_ORIGINS, production),
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: readLogFormat(env.LOG_FORMAT, production),
    metrics: readMetrics(env.SYNCLINE_METRICS, env.SYNCLINE_METRICS_TOKEN),
    rateLimits: {
      requestsPerMinute: rateLimit(
        env,
        'SYNCLINE_RATE_LIMIT_REQUESTS',
        DEFAULT_RATE_LIMITS.requestsPerMinute,
      ),
      streamsPerMinute: rateLimit(
        env,
        'SYNCLINE_RATE_LIMIT_STREAMS',
        DEFAULT_RATE_LIMITS.streamsPerMinute,
      ),
    },
    trustProxy: number('SYNCLINE_TRUST_PROXY', 0, 0),
    poolSize: number('SYNCLINE_DB_POOL_SIZE', DEFAULT_POOL_SIZE),
    appDir: env.SYNCLINE_APP_DIR || DEMO_APP_DIR,
    appDirSet: Boolean(env.SYNCLINE_APP_DIR),
    auth: readAuth(env),
  };
}

/** LOG_FORMAT: `json` or `pretty`; by default JSON in production, pretty lines elsewhere. */
function readLogFormat(raw: string | undefined, production: boolean): LogFormat {
  if (raw === undefined || raw === '') return production ? 'json' : 'pretty';
  if (raw !== 'json' && raw !== 'pretty') {
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${raw}"`);
  }
  return raw;
}

/** SYNCLINE_METRICS (`off`, the default, or `on`) and SYNCLINE_METRICS_TOKEN (implies `on`). */
function readMetrics(raw: string | undefined, token: string | undefined): ServerConfig['metrics'] {
  const mode = raw || (token ? 'on' : 'off');
  if (mode !== 'on' && mode !== 'off') {
    throw new ConfigError(`SYNCLINE_METRICS must be on or off, got "${raw}"`);
  }
  if (!token) return mode === 'on';
  if (mode === 'off') {
    throw new ConfigError('SYNCLINE_METRICS is off but SYNCLINE_METRICS_TOKEN is set; unset one');
  }
  if (token.length < MIN_METRICS_TOKEN_LENGTH) {
    throw new ConfigError(
      `SYNCLINE_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`,
    );
  }
  return { token };
}

/** A budget a minute: a whole number, `0` or `off` for no limit. */
function rateLimit(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'off') return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(
      `${name} must be a whole number of requests a minute, 0 or off, got "${raw}"`,
    );
  }
  return value;
}

/** SYNCLINE_HEARTBEAT_SECONDS: an hour at most (proxies drop streams quiet for a minute or so). */
function readHeartbeatMs(seconds: number): number {
  if (seconds > 3600) {
    throw new ConfigError(`SYNCLINE_HEARTBEAT_SECONDS must be at most 3600, got "${seconds}"`);
  }
  return seconds * 1000;
}

/** SYNCLINE_JWT_SECRET or SYNCLINE_JWKS_URL, with SYNCLINE_JWT_ISSUER and SYNCLINE_JWT_AUDIENCE. */
function readAuth(env: NodeJS.ProcessEnv): JwtAuthOptions | undefined {
  const secret = env.SYNCLINE_JWT_SECRET || undefined;
  const jwksUrl = env.SYNCLINE_JWKS_URL || undefined;
  if (secret && jwksUrl) {
    throw new ConfigError('set SYNCLINE_JWT_SECRET or SYNCLINE_JWKS_URL, not both');
  }
  if (secret && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`SYNCLINE_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (jwksUrl && !/^https?:\/\/[^\s]+$/.test(jwksUrl)) {
    throw new ConfigError(`SYNCLINE_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  }
  if (!secret && !jwksUrl) return undefined;
  return {
    ...(secret ? { secret } : { jwksUrl: jwksUrl as string }),
    ...(env.SYNCLINE_JWT_ISSUER ? { issuer: env.SYNCLINE_JWT_ISSUER } : {}),
    ...(env.SYNCLINE_JWT_AUDIENCE ? { audience: env.SYNCLINE_JWT_AUDIENCE } : {}),
  };
}

/** SYNCLINE_CORS_ORIGINS: comma-separated origins, or `*` for any. */
function readCorsOrigins(raw: string | undefined, production: boolean): string[] | '*' {
  const origins = (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  if (origins.length === 0) return production ? [] : '*';
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    if (URL.canParse(origin) && new URL(origin).origin === origin) continue;
    throw new ConfigError(
      `SYNCLINE_CORS_ORIGINS: "${origin}" is not an origin; write scheme://host[:port], e.g. https://app.example.com`,
    );
  }
  return origins;
}
