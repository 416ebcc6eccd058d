import type { PullResult } from '@syncline/client';
import { useLiveQuery } from '@syncline/client/react';
import { useEffect, useMemo, useState } from 'react';
import { REGIONS, saveRegion, storedRegion } from '../sync';
import { useAppClient } from '../use-app-client';
import { ModelCard } from './model-card';

/**
 * Reference data of the technician's region: manufacturers pulled with a filter on their
 * country, then those manufacturers' models. Other regions' rows are purged from the device.
 */
export function VehiclePanel() {
  const client = useAppClient();
  const makers = client.table('vehicleManufacturer');
  const models = client.table('vehicleModel');
  const [region, setRegion] = useState(storedRegion);
  const [pulled, setPulled] = useState<PullResult>();
  const { rows: manufacturers } = useLiveQuery(makers, {
    where: inRegionOf(region),
    orderBy: { name: 'asc' },
  });
  const ids = useMemo(() => manufacturers.map((maker) => maker.id), [manufacturers]);
  const { rows: regionModels } = useLiveQuery(models, {
    where: { manufacturerId: { in: ids } },
    orderBy: [{ manufacturerId: 'asc' }, { name: 'asc' }],
  });

  useEffect(() => {
    let current = true;
    void makers.pull('region', { where: inRegionOf(region) }).then((result) => {
      if (current) setPulled(result);
    });
    return () => {
      current = false;
    };
  }, [makers, region]);

  // The models of the manufacturers on the device, pulled again whenever those change
  // (a region chosen offline gets its models once its manufacturers arrive).
  const idsKey = ids.join(',');
  useEffect(() => {
    if (idsKey === '') return;
    void models.pull('region-models', { where: { manufacturerId: { in: idsKey.split(',') } } });
  }, [models, idsKey]);

  const choose = async (next: string) => {
    // Only one region's reference data is kept on the device.
    await makers.purge({ where: { country: { ne: next } } });
    const kept = await makers.find();
    await models.purge({
      where: { and: kept.map((maker) => ({ manufacturerId: { ne: maker.id } })) },
    });
    saveRegion(next);
    setRegion(next);
  };

  return (
    <section className="panel" aria-labelledby="vehicles-title">
      <div className="panel-head">
        <h1 id="vehicles-title">Vehicles</h1>
        <label className="region">
          Region
          <select
            value={region}
            onChange={(event) => void choose(event.target.value)}
            aria-label="Region"
          >
            {REGIONS.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      {pulled && pulled.status !== 'complete' && manufacturers.length === 0 && (
        <p className="empty">Reference data for {region} arrives with the next sync.</p>
      )}
      {manufacturers.map((maker) => (
        <div key={maker.id} className="manufacturer" data-id={maker.id}>
          <h2>{maker.name}</h2>
          <div className="models">
            {regionModels
              .filter((model) => model.manufacturerId === maker.id)
              .map((model) => (
                <ModelCard key={model.id} model={model} />
              ))}
          </div>
        </div>
      ))}
    </section>
  );
}

const inRegionOf = (region: string) => ({ country: { eq: region } });
