/** Everything drizzle-kit migrates for the example deployment (see drizzle.config.ts). */
export { todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate } from '@syncline/schema';
export { changeSequence, ownerMove, pruneHorizon, storedOutcome } from './system-tables';
