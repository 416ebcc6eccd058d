import { signDevToken } from './auth/dev-token';
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
  console.log(await signDevToken(auth, user, Number(hours)));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
