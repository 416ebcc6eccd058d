import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_APP_DIR, readConfig } from './config';
import { DEFAULT_LIMITS } from './graphql/limits';

describe('readConfig: hardening settings', () => {
  it('turns introspection, GraphiQL and other origins off in production', () => {
    expect(readConfig({ NODE_ENV: 'production' })).toMatchObject({
      introspection: false,
      graphiql: false,
      corsOrigins: [],
    });
    expect(readConfig({ NODE_ENV: 'development' })).toMatchObject({
      introspection: true,
      graphiql: true,
      corsOrigins: '*',
    });
  });

  it('lets the environment turn each one on or off explicitly', () => {
    const config = readConfig({
      NODE_ENV: 'production',
      SYNCLINE_INTROSPECTION: 'true',
      SYNCLINE_GRAPHIQL: 'true',
      SYNCLINE_CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ',
    });
    expect(config).toMatchObject({
      introspection: true,
      graphiql: true,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    });
    expect(readConfig({ SYNCLINE_INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', SYNCLINE_CORS_ORIGINS: '*' }).corsOrigins).toBe(
      '*',
    );
  });

  it('reads the query limits, with the documented defaults', () => {
    expect(readConfig({}).limits).toEqual(DEFAULT_LIMITS);
    const limits = readConfig({
      SYNCLINE_MAX_DEPTH: '9',
      SYNCLINE_MAX_ALIASES: '0',
      SYNCLINE_MAX_COST: '8000',
      SYNCLINE_MAX_TOKENS: '3000',
      SYNCLINE_MAX_DIRECTIVES: '5',
    }).limits;
    expect(limits).toMatchObject({
      maxDepth: 9,
      maxAliases: 0,
      maxCost: 8000,
      maxTokens: 3000,
      maxDirectives: 5,
    });
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => readConfig({ SYNCLINE_GRAPHIQL: 'yes' })).toThrow(
      new ConfigError('SYNCLINE_GRAPHIQL must be true or false, got "yes"'),
    );
    expect(() => readConfig({ SYNCLINE_CORS_ORIGINS: 'https://app.example.com/' })).toThrow(
      'SYNCLINE_CORS_ORIGINS: "https://app.example.com/" is not an origin',
    );
    expect(() => readConfig({ SYNCLINE_MAX_DEPTH: '0' })).toThrow(
      'SYNCLINE_MAX_DEPTH must be a number of at least 1, got "0"',
    );
  });
});

describe('readConfig: change streams', () => {
  it('sends a heartbeat every 15 s and allows 20 streams per user unless told otherwise', () => {
    expect(readConfig({})).toMatchObject({ heartbeatMs: 15_000 });
    expect(readConfig({}).limits.maxStreamsPerUser).toBe(20);
    const config = readConfig({
      SYNCLINE_HEARTBEAT_SECONDS: '2.5',
      SYNCLINE_MAX_STREAMS_PER_USER: '3',
    });
    expect(config.heartbeatMs).toBe(2500);
    expect(config.limits.maxStreamsPerUser).toBe(3);
  });

  it('refuses heartbeats under a second or over an hour, and a cap under one stream', () => {
    expect(() => readConfig({ SYNCLINE_HEARTBEAT_SECONDS: '0' })).toThrow(
      'SYNCLINE_HEARTBEAT_SECONDS must be a number of at least 1, got "0"',
    );
    expect(() => readConfig({ SYNCLINE_HEARTBEAT_SECONDS: '7200' })).toThrow(
      'SYNCLINE_HEARTBEAT_SECONDS must be at most 3600, got "7200"',
    );
    expect(() => readConfig({ SYNCLINE_MAX_STREAMS_PER_USER: '0' })).toThrow(
      'SYNCLINE_MAX_STREAMS_PER_USER must be a number of at least 1, got "0"',
    );
  });
});

describe('readConfig: the app at /', () => {
  it('serves the demo build unless SYNCLINE_APP_DIR names another', () => {
    expect(readConfig({})).toMatchObject({ appDir: DEMO_APP_DIR, appDirSet: false });
    expect(DEMO_APP_DIR).toMatch(/demo[/\\]dist$/);
    expect(readConfig({ SYNCLINE_APP_DIR: '/srv/app' })).toMatchObject({
      appDir: '/srv/app',
      appDirSet: true,
    });
  });
});
