import { createGateway, type GatewayOptions, type SyncDatabase } from '@syncline/gateway';
import { seedExampleData } from '@syncline/gateway/example';
import { exampleTables } from '@syncline/schema';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase, TestDatabaseKind } from './databases';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

/** Test requests say who they are with this header; real deployments use a JWT. */
export const TEST_USER_HEADER = 'x-test-user';

/** A bearer token the test gateway refuses, as it would an expired JWT. */
export const REJECTED_TOKEN = 'rejected-token';

/**
 * Who a test request is: the `x-test-user` header, else the bearer token taken as the user
 * id (the client tests' way), else alice. Real deployments verify a JWT instead.
 */
function testAuthenticate(request: Request): string {
  const bearer = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (bearer === REJECTED_TOKEN) {
    throw new GraphQLError('the token was rejected', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return request.headers.get(TEST_USER_HEADER) ?? bearer ?? 'alice';
}

/**
 * Change streams' heartbeat in test gateways. In process (`yoga.fetch`), cancelling a
 * stream's reader takes effect only when its next bytes arrive (@whatwg-node's stream is a
 * Node stream underneath), so a quiet stream closes within one heartbeat: keep it short.
 */
export const TEST_HEARTBEAT_MS = 300;

/** An in-process gateway over the example model, with a small GraphQL client around `yoga.fetch`. */
export async function startGateway(database: SyncDatabase, options: Partial<GatewayOptions> = {}) {
  await seedExampleData(database.db);
  const yoga = createGateway({
    tables: exampleTables,
    database,
    authenticate: testAuthenticate,
    heartbeatMs: TEST_HEARTBEAT_MS,
    ...options,
  });

  async function request(body: string, headers: Record<string, string> = {}) {
    return yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  async function graphql<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    user = 'alice',
  ): Promise<GraphQLResponse<TData>> {
    const response = await request(JSON.stringify({ query, variables }), {
      [TEST_USER_HEADER]: user,
    });
    return { status: response.status, ...((await response.json()) as object) };
  }

  /** Runs a query that must succeed, and returns its data. */
  async function data<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    user = 'alice',
  ): Promise<TData> {
    const result = await graphql<TData>(query, variables, user);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }

  return { yoga, request, graphql, data };
}

export type TestGateway = Awaited<ReturnType<typeof startGateway>>;

/**
 * A fresh database of `kind` and a gateway over it for the tests of one `describe`:
 * created before them, dropped after. Use `suite.gateway` and `suite.db` inside tests.
 */
export function useTestGateway(kind: TestDatabaseKind, options: Partial<GatewayOptions> = {}) {
  let started: { db: TestDatabase; gateway: TestGateway } | undefined;
  beforeAll(async () => {
    const db = await kind.create();
    started = { db, gateway: await startGateway(db.database, options) };
  });
  afterAll(() => started?.db.drop());
  const current = () => {
    if (!started) throw new Error('useTestGateway: only inside tests');
    return started;
  };
  return {
    get gateway() {
      return current().gateway;
    },
    get db() {
      return current().db;
    },
  };
}
