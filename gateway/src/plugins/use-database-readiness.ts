import { sql } from 'drizzle-orm';
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Db } from '../db/database';

export const READY_ENDPOINT = '/ready';
/** How long the database has to answer before the gateway says it is not ready. */
const READY_TIMEOUT_MS = 2_000;

/**
 * `/ready` for load balancers: 200 while the database answers a trivial query within 2 s,
 * else 503 with `{ ready: false, reason }`. (`/health` only says that the process is up.)
 */
export function useDatabaseReadiness(db: Db): Plugin {
  return useReadinessCheck({
    endpoint: READY_ENDPOINT,
    async check({ fetchAPI }) {
      if (await answers(db)) return true;
      const body = { ready: false, reason: 'the database is unreachable' };
      return fetchAPI.Response.json(body, { status: 503 });
    },
  });
}

async function answers(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
  });
  const answered = db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
