import { vehicleManufacturer, vehicleModel } from '@syncline/schema';
import type { Db } from './database';

const manufacturers = [
  { id: 'mf-volvo', name: 'Volvo', country: 'Sweden' },
  { id: 'mf-scania', name: 'Scania', country: 'Sweden' },
  { id: 'mf-man', name: 'MAN', country: 'Germany' },
  { id: 'mf-mercedes', name: 'Mercedes-Benz', country: 'Germany' },
  { id: 'mf-iveco', name: 'Iveco', country: 'Italy' },
  { id: 'mf-ford', name: 'Ford', country: 'United States' },
];

const models = [
  { id: 'vm-volvo-fh16', name: 'FH16', year: 2021, manufacturerId: 'mf-volvo' },
  { id: 'vm-volvo-fmx', name: 'FMX', year: 2020, manufacturerId: 'mf-volvo' },
  { id: 'vm-scania-r500', name: 'R 500', year: 2022, manufacturerId: 'mf-scania' },
  { id: 'vm-man-tgx', name: 'TGX', year: 2021, manufacturerId: 'mf-man' },
  { id: 'vm-mercedes-actros', name: 'Actros', year: 2023, manufacturerId: 'mf-mercedes' },
  { id: 'vm-mercedes-sprinter', name: 'Sprinter', year: 2022, manufacturerId: 'mf-mercedes' },
  { id: 'vm-iveco-daily', name: 'Daily', year: 2020, manufacturerId: 'mf-iveco' },
  { id: 'vm-ford-transit', name: 'Transit', year: 2023, manufacturerId: 'mf-ford' },
];

/** Seeds the example reference data once; later starts leave existing rows alone. */
export async function seedExampleData(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(vehicleManufacturer).values(manufacturers).onConflictDoNothing();
    await tx.insert(vehicleModel).values(models).onConflictDoNothing();
  });
}
