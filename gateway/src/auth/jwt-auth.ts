import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** How bearer tokens are verified: one HS256 secret, or the keys published at a JWKS URL. */
export interface JwtAuthOptions {
  /** A shared HS256 secret, at least 32 characters. */
  secret?: string;
  /** Where the issuer publishes its signing keys (RS*, PS*, ES*, EdDSA). */
  jwksUrl?: string;
  /** When set, the `iss` claim must equal it. */
  issuer?: string;
  /** When set, the `aud` claim must contain it. */
  audience?: string;
}

export const MIN_SECRET_LENGTH = 32;
const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

/** A request without a valid token: 401, code UNAUTHENTICATED, and why in words. */
export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Unauthenticated: ${reason}`, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
    },
  });
}

/**
 * Builds the gateway's `authenticate`: verifies `Authorization: Bearer <JWT>` with jose,
 * accepting only the algorithms of the configured key (so `alg: none` and HS/RS confusion
 * never pass), and answers the `sub` claim as the user id.
 */
export function createJwtAuthenticate(
  options: JwtAuthOptions,
): (request: Request) => Promise<string> {
  const { secret, jwksUrl } = options;
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new Error('createJwtAuthenticate: give exactly one of secret and jwksUrl');
  }
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `createJwtAuthenticate: the secret must be at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const secretKey = secret === undefined ? undefined : new TextEncoder().encode(secret);
  const getKey: JWTVerifyGetKey = secretKey
    ? async () => secretKey
    : createRemoteJWKSet(new URL(jwksUrl as string));
  const verifyOptions = {
    algorithms: secret !== undefined ? ['HS256'] : ASYMMETRIC,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };

  return async (request) => {
    const header = request.headers.get('authorization');
    if (!header) throw unauthenticated('send the header Authorization: Bearer <JWT>');
    const token = BEARER.exec(header.trim())?.[1];
    if (!token) throw unauthenticated('the Authorization header must be "Bearer <JWT>"');
    let subject: unknown;
    try {
      subject = (await jwtVerify(token, getKey, verifyOptions)).payload.sub;
    } catch (error) {
      throw unauthenticated(reasonFor(error));
    }
    if (typeof subject !== 'string' || subject.length === 0) {
      throw unauthenticated('the token has no sub claim');
    }
    return subject;
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `the token's ${error.claim} claim is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token signature is not valid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no signing key matches the token';
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
    return 'the token could not be verified now; try again';
  }
  return 'the token is not a valid JWT';
}
