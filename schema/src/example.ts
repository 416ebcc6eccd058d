export {
  exampleTables,
  MAX_ACCOLADES_PER_COMMAND,
  todoItem,
  vehicleManufacturer,
  vehicleModel,
  vehicleModelUpdate,
} from './example-model';
