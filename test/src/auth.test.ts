import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJwtAuthenticate } from '@syncline/gateway';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { newOpId } from './support/sync-calls';
import { openTestClient, TestNetwork } from './support/sync-client';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'syncline';
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Record<string, unknown> = {}, secret = SECRET) {
  const payload = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 300, ...claims };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

const INSERT = `mutation($operations: [PushOperation!]!) {
  push(operations: $operations) { status }
}`;

/** Every way a token can be wrong; none may read or write anything. */
describe.each(databaseKinds)('JWT authentication on $name', (kind) => {
  const suite = useTestGateway(kind, {
    authenticate: createJwtAuthenticate({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE }),
  });

  async function call(authorization: string | undefined, text = 'sneaky') {
    const body = JSON.stringify({
      query: INSERT,
      variables: {
        operations: [
          { todoItem: { opId: newOpId(), kind: 'INSERT', id: `t-${newOpId()}`, data: { text } } },
        ],
      },
    });
    const response = await suite.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body,
    });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: (await response.json()) as {
        data?: unknown;
        errors?: { message: string; extensions?: { code?: string } }[];
      },
    };
  }

  async function storedTexts() {
    const rows = await suite.db.database.db.execute('select text from todo_item');
    return (Array.isArray(rows) ? rows : (rows as { rows: { text: string }[] }).rows).map(
      (row) => (row as { text: string }).text,
    );
  }

  const attacks: [string, () => Promise<string | undefined>, string][] = [
    [
      'no Authorization header',
      async () => undefined,
      'send the header Authorization: Bearer <JWT>',
    ],
    ['a Basic header', async () => 'Basic YWxpY2U6c2VjcmV0', 'must be "Bearer <JWT>"'],
    ['Bearer with nothing', async () => 'Bearer', 'must be "Bearer <JWT>"'],
    ['Bearer with a non-JWT', async () => 'Bearer not-a-token', 'must be "Bearer <JWT>"'],
    ['a JWT that is not JSON', async () => 'Bearer aaa.bbb.ccc', 'not a valid JWT'],
    [
      'a wrong signature',
      async () => `Bearer ${await hs256({}, 'another-secret-that-is-long-enough-too')}`,
      'signature is not valid',
    ],
    [
      'alg: none',
      async () =>
        `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`,
      'algorithm is not accepted',
    ],
    ['an expired token', async () => `Bearer ${await hs256({ exp: now() - 60 })}`, 'has expired'],
    [
      'a wrong issuer',
      async () => `Bearer ${await hs256({ iss: 'https://evil.test/' })}`,
      'iss claim is not accepted',
    ],
    [
      'a wrong audience',
      async () => `Bearer ${await hs256({ aud: 'someone-else' })}`,
      'aud claim is not accepted',
    ],
    [
      'a token not yet valid',
      async () => `Bearer ${await hs256({ nbf: now() + 3600 })}`,
      'nbf claim is not accepted',
    ],
    ['no sub claim', async () => `Bearer ${await hs256({ sub: '' })}`, 'no sub claim'],
  ];

  it.each(attacks)(
    'refuses %s with 401 UNAUTHENTICATED and writes nothing',
    async (_name, header, reason) => {
      const result = await call(await header());
      expect(result.status).toBe(401);
      expect(result.challenge).toBe('Bearer');
      expect(result.body.data ?? null).toBeNull();
      expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.body.errors?.[0]?.message).toContain(reason);
      expect(await storedTexts()).not.toContain('sneaky');
    },
  );

  it('accepts a valid token and acts as its sub', async () => {
    const result = await call(`Bearer ${await hs256()}`, 'welcome');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { push: [{ status: 'APPLIED' }] } });
    const owners = await suite.db.database.db.execute(
      `select user_id from todo_item where text = 'welcome'`,
    );
    expect(JSON.stringify(owners)).toContain('"alice"');
  });
});

describe.each(databaseKinds)('the client with JWT auth on $name', (kind) => {
  const suite = useTestGateway(kind, {
    authenticate: createJwtAuthenticate({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE }),
  });

  it('syncs with real tokens, and refreshes an expired one without losing anything', async () => {
    const user = `jwt-${crypto.randomUUID()}`;
    const refreshes: boolean[] = [];
    const client = await openTestClient({
      network: new TestNetwork(suite.gateway),
      user,
      // The stored token has expired; the refresh gets a new one from the "identity provider".
      token: ({ refresh }) => {
        refreshes.push(refresh);
        return hs256({ sub: user, exp: now() + (refresh ? 300 : -60) });
      },
    });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'signed in' });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect(refreshes).toEqual([false, true]);
    expect(await todos.get(row.id)).toMatchObject({ version: 1, userId: user });
    expect(await todos.pull('mine')).toMatchObject({ status: 'complete', pulled: 1 });
    client.close();
  });
});

describe('JWT authentication with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let sign: (alg?: string) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    sign = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('carol')
        .setExpirationTime('5m')
        .sign(privateKey);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (authorization: string) =>
    new Request('http://gateway.test/graphql', { headers: { authorization } });

  it('accepts a token signed by a published key', async () => {
    const authenticate = createJwtAuthenticate({ jwksUrl });
    expect(await authenticate(request(`Bearer ${await sign()}`))).toBe('carol');
  });

  it('refuses an HS256 token made with the public key as a secret (algorithm confusion)', async () => {
    const authenticate = createJwtAuthenticate({ jwksUrl });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('carol')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(64)));
    await expect(authenticate(request(`Bearer ${forged}`))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses a token signed by a key it does not publish', async () => {
    const authenticate = createJwtAuthenticate({ jwksUrl });
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('carol')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(authenticate(request(`Bearer ${stranger}`))).rejects.toMatchObject({
      message: 'Unauthenticated: the token signature is not valid',
    });
  });

  it('refuses to start with a short secret or with both kinds of key', () => {
    expect(() => createJwtAuthenticate({ secret: 'short' })).toThrow('at least 32 characters');
    expect(() => createJwtAuthenticate({ secret: SECRET, jwksUrl })).toThrow('exactly one');
  });
});
