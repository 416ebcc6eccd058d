import { benchRow } from './bench-tables';
import { createTableClient, pullAll } from './graphql-http';
import { PAGE_SIZE } from './initial-pull';

/**
 * A client in a process of its own (forked by `server-load.ts` with the gateway's URL):
 * pulls the 100k-row table once, as the bench client does, and says how many rows it got,
 * so that the gateway's memory is measured without the client's in it.
 */
export type FromPuller = { type: 'pulled'; rows: number } | { type: 'failed'; message: string };

const url = process.argv[2];
if (!url) throw new Error('pull-process: the gateway URL is its argument');
pullAll(createTableClient(url, benchRow), PAGE_SIZE).then(
  (rows) => process.send?.({ type: 'pulled', rows } satisfies FromPuller),
  (error: unknown) =>
    process.send?.({ type: 'failed', message: String(error) } satisfies FromPuller),
);
