/**
 * `@syncline/gateway/system-tables`: Syncline's own tables, for a team's Drizzle Kit schema
 * beside its sync tables (`syncline generate` adds them by itself). Light: no server code.
 */
export {
  changeSequence,
  ownerMove,
  pruneHorizon,
  storedOutcome,
  systemTables,
} from './db/system-tables';
