import { fileURLToPath } from 'node:url';

/** The Drizzle Kit migrations of the example model and Syncline's system tables. */
export const exampleMigrations = fileURLToPath(new URL('../../drizzle', import.meta.url));
