import type { Row } from '@syncline/client';
import { useLiveQuery } from '@syncline/client/react';
import type { vehicleModel } from '@syncline/schema';
import { useAppClient } from '../use-app-client';

/**
 * A model and its accolades. Giving one inserts a command (`vehicleModelUpdate`), which
 * works offline; the server raises the count when it applies the command, and the new
 * count arrives with the next pull. Until then the card shows the accolades waiting.
 */
export function ModelCard({ model }: { model: Row<typeof vehicleModel> }) {
  const client = useAppClient();
  const commands = client.table('vehicleModelUpdate');
  const { rows: waiting } = useLiveQuery(commands, { where: { vehicleModelId: { eq: model.id } } });
  const given = waiting.reduce((sum, command) => sum + command.accoladeCount, 0);
  return (
    <div className="model" data-id={model.id}>
      <div>
        <div className="model-name">{model.name}</div>
        <div className="model-year">{model.year}</div>
      </div>
      <div className="accolades">
        <span
          className="accolade-count"
          data-testid="accolade-count"
          title="Accolades on the server"
        >
          ★ {model.accoladeCount}
        </span>
        {given > 0 && (
          <span className="accolade-waiting" data-testid="accolades-waiting">
            +{given} waiting
          </span>
        )}
        <button
          type="button"
          className="button"
          aria-label={`Give ${model.name} an accolade`}
          onClick={() => void commands.insert({ vehicleModelId: model.id, accoladeCount: 1 })}
        >
          Give accolade
        </button>
      </div>
    </div>
  );
}
