import { mergeRows, type PushError } from '@syncline/client';
import { useConflicts } from '@syncline/client/react';
import { useState } from 'react';
import { FieldTable, type Side } from './field-table';

const SYSTEM = new Set(['id', 'version', 'createdAt', 'updatedAt', 'deleted', 'userId']);
const NOUNS: Record<string, string> = { todoItem: 'job', vehicleModelUpdate: 'accolade' };

/** Data fields whose values differ between the two rows. */
function differing(local: Record<string, unknown>, server: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(local), ...Object.keys(server)]);
  return [...keys].filter(
    (key) => !SYSTEM.has(key) && JSON.stringify(local[key]) !== JSON.stringify(server[key]),
  );
}

/** Shows the first change the server could not apply and asks what to keep. */
export function ConflictDialog() {
  const { conflicts, resolve, cancel } = useConflicts();
  const conflict = conflicts[0];
  if (!conflict) return null;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="conflict-title">
      <ConflictChoice
        key={conflict.operation.opId}
        conflict={conflict}
        more={conflicts.length - 1}
        onResolve={(resolution) => resolve(conflict, resolution)}
        onUndo={() => cancel(conflict)}
      />
    </div>
  );
}

interface ChoiceProps {
  conflict: PushError;
  more: number;
  onResolve(resolution: Parameters<PushError['resolve']>[0]): Promise<void>;
  onUndo(): Promise<void>;
}

function ConflictChoice({ conflict, more, onResolve, onUndo }: ChoiceProps) {
  const [merging, setMerging] = useState(false);
  const [error, setError] = useState<string>();
  const noun = NOUNS[conflict.table] ?? 'row';
  const { local, server } = conflict;
  const live = server && !server.deleted ? server : null;
  const fields = local && live ? differing(local, live) : [];
  const merged =
    local && live ? mergeRows({ base: conflict.base, local, server: live }) : undefined;
  const [choice, setChoice] = useState<Record<string, Side>>(() =>
    Object.fromEntries(
      fields.map((field) => [
        field,
        merged && !merged.overlapping.includes(field) && merged.row[field] === local?.[field]
          ? 'mine'
          : 'theirs',
      ]),
    ),
  );
  const act = (decide: () => Promise<void>) =>
    decide().catch((failure: unknown) => setError(String(failure)));

  let title: string;
  let explanation: string;
  if (conflict.status === 'REJECTED') {
    title = `The server refused your ${noun}`;
    explanation = conflict.message;
  } else if (!live) {
    title = `This ${noun} was deleted on another device`;
    explanation = 'Your change cannot be applied to a deleted item.';
  } else if (!local) {
    title = `You deleted a ${noun} that was changed on another device`;
    explanation = 'Delete it anyway, or keep the other device’s version.';
  } else {
    title = `This ${noun} was changed on another device`;
    explanation = 'Both you and someone else changed it. Choose what to keep.';
  }

  return (
    <div className="dialog conflict">
      <h2 id="conflict-title">{title}</h2>
      <p>{explanation}</p>
      {local && live && (
        <FieldTable
          fields={fields}
          local={local}
          server={live}
          choice={merging ? choice : undefined}
          onChoose={(field, side) => setChoice({ ...choice, [field]: side })}
        />
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        {more > 0 && <span className="more">{more} more after this one</span>}
        {conflict.status === 'REJECTED' || !live ? (
          <button type="button" className="button primary" onClick={() => void act(onUndo)}>
            Discard my change
          </button>
        ) : merging ? (
          <>
            <button type="button" className="button" onClick={() => setMerging(false)}>
              Back
            </button>
            <button
              type="button"
              className="button primary"
              onClick={() =>
                void act(() =>
                  onResolve({
                    action: 'merge',
                    row: Object.fromEntries(
                      fields.map((field) => [
                        field,
                        (choice[field] === 'mine' ? local : live)?.[field],
                      ]),
                    ),
                  }),
                )
              }
            >
              Save merge
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              className="button"
              onClick={() => void act(() => onResolve({ action: 'server-wins' }))}
            >
              Keep theirs
            </button>
            {local && fields.length > 0 && (
              <button type="button" className="button" onClick={() => setMerging(true)}>
                Merge…
              </button>
            )}
            <button
              type="button"
              className="button primary"
              onClick={() => void act(() => onResolve({ action: 'client-wins' }))}
            >
              Keep mine
            </button>
          </>
        )}
      </div>
    </div>
  );
}
