import { createIndexedDbStore, createSyncClient, type SyncClient } from '@syncline/client';
import { todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate } from '@syncline/schema';

export const tables = { todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate };
export type AppClient = SyncClient<typeof tables>;

/** The technician's open jobs: what this device pulls, and keeps. */
export const OPEN_JOBS = { queryId: 'open-jobs', where: { complete: { eq: false } } } as const;

/** The regions a technician can work in; reference data is pulled for one at a time. */
export const REGIONS = ['Sweden', 'Germany', 'Italy', 'United States'] as const;

const TOKEN_KEY = 'syncline-demo:token';
const REGION_KEY = 'syncline-demo:region';

export interface Session {
  /** `sub` of the token, or `anonymous` on a gateway without authentication. */
  user: string;
  token: string | null;
}

/** The session kept in this browser; a `#token=...` in the address signs in and is removed. */
export function storedSession(): Session {
  const fromAddress = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromAddress) {
    localStorage.setItem(TOKEN_KEY, fromAddress);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = localStorage.getItem(TOKEN_KEY);
  return { token, user: (token && subjectOf(token)) || 'anonymous' };
}

export function saveToken(token: string | null): Session {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  return storedSession();
}

/** The token's `sub`, read without verifying it: only to name this user's local database. */
export function subjectOf(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** One local database per user, so that two people on one browser never see each other's jobs. */
export function openClient(session: Session): Promise<AppClient> {
  return createSyncClient({
    url: new URL('/graphql', location.href).href,
    tables,
    // The stored token, also when asked to refresh: a demo has no refresh flow, so an
    // expired token ends in `auth-error` and the app asks for a new one.
    token: () => session.token,
    store: createIndexedDbStore({ name: `syncline-demo:${session.user}` }),
  });
}

export function storedRegion(): string {
  return localStorage.getItem(REGION_KEY) ?? 'Sweden';
}

export function saveRegion(region: string): void {
  localStorage.setItem(REGION_KEY, region);
}
