import { SignJWT } from 'jose';
import { ConfigError } from '../config';
import type { JwtAuthOptions } from './jwt-auth';

/**
 * A development token for `user`, signed with SYNCLINE_JWT_SECRET and carrying the configured
 * issuer and audience. Real deployments get tokens from their identity provider.
 */
export async function signDevToken(
  auth: JwtAuthOptions | undefined,
  user: string,
  hours = 12,
): Promise<string> {
  if (!auth?.secret) throw new ConfigError('set SYNCLINE_JWT_SECRET to sign development tokens');
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new ConfigError(`the token's lifetime must be a positive number of hours, got ${hours}`);
  }
  let token = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(`${hours}h`);
  if (auth.issuer) token = token.setIssuer(auth.issuer);
  if (auth.audience) token = token.setAudience(auth.audience);
  return token.sign(new TextEncoder().encode(auth.secret));
}
