import { SignJWT } from 'jose';
import { ConfigError, readConfig } from './config';

/**
 * Prints a development token for a user, signed with SYNCLINE_JWT_SECRET (and carrying
 * SYNCLINE_JWT_ISSUER / SYNCLINE_JWT_AUDIENCE when set): `pnpm dev-token alice [hours]`.
 * Real deployments get tokens from their identity provider.
 */
async function main() {
  const [user, hours = '12'] = process.argv.slice(2);
  const { auth } = readConfig(process.env);
  if (!user) throw new ConfigError('usage: pnpm dev-token <user id> [hours]');
  if (!auth?.secret) throw new ConfigError('set SYNCLINE_JWT_SECRET to sign development tokens');
  let token = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(`${Number(hours)}h`);
  if (auth.issuer) token = token.setIssuer(auth.issuer);
  if (auth.audience) token = token.setAudience(auth.audience);
  console.log(await token.sign(new TextEncoder().encode(auth.secret)));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
