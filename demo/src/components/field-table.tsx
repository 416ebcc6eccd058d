import { describeDue } from './dates';

export type Side = 'mine' | 'theirs';

const LABELS: Record<string, string> = { text: 'Job', dueDate: 'Due', complete: 'Done' };

function show(field: string, value: unknown): string {
  if (field === 'dueDate') return describeDue((value as string | null) ?? null).label;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return value === null || value === undefined ? '—' : String(value);
}

/** The fields that differ, mine beside theirs; with `choice`, a pick per field for a merge. */
export function FieldTable(props: {
  fields: string[];
  local: Record<string, unknown>;
  server: Record<string, unknown>;
  choice?: Record<string, Side> | undefined;
  onChoose(field: string, side: Side): void;
}) {
  const { fields, local, server, choice } = props;
  const cell = (field: string, side: Side) => {
    const value = show(field, (side === 'mine' ? local : server)[field]);
    if (!choice) return <td>{value}</td>;
    return (
      <td className={choice[field] === side ? 'chosen' : ''}>
        <label>
          <input
            type="radio"
            name={`merge-${field}`}
            aria-label={`${LABELS[field] ?? field}: ${side}`}
            checked={choice[field] === side}
            onChange={() => props.onChoose(field, side)}
          />
          {value}
        </label>
      </td>
    );
  };
  return (
    <table className="fields">
      <thead>
        <tr>
          <th />
          <th>Mine</th>
          <th>Theirs</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => (
          <tr key={field} data-field={field}>
            <th scope="row">{LABELS[field] ?? field}</th>
            {cell(field, 'mine')}
            {cell(field, 'theirs')}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
