import type { Row } from '@syncline/client';
import type { todoItem } from '@syncline/schema';
import { type FormEvent, useState } from 'react';
import { useAppClient } from '../use-app-client';
import { describeDue, fromDateInput, toDateInput } from './dates';

export function TodoRow({ row, pending }: { row: Row<typeof todoItem>; pending: boolean }) {
  const todos = useAppClient().table('todoItem');
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(row.text);
  const [due, setDue] = useState(toDateInput(row.dueDate));
  const [error, setError] = useState<string>();
  // A local write only fails on bad input (named in the message) or a broken store.
  const attempt = (write: () => Promise<unknown>) =>
    write().then(
      () => setError(undefined),
      (failure: unknown) => setError(String(failure)),
    );
  const { label, overdue } = describeDue(row.dueDate);

  const startEditing = () => {
    setText(row.text);
    setDue(toDateInput(row.dueDate));
    setEditing(true);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    try {
      await todos.update({ id: row.id, text: text.trim(), dueDate: fromDateInput(due) });
      setError(undefined);
      setEditing(false);
    } catch (failure) {
      setError(String(failure));
    }
  };

  if (editing) {
    return (
      <li className="todo editing" data-id={row.id}>
        <form className="edit-todo" onSubmit={(event) => void save(event)}>
          <input aria-label="Job" value={text} onChange={(event) => setText(event.target.value)} />
          <input
            aria-label="Due date"
            type="date"
            value={due}
            onChange={(event) => setDue(event.target.value)}
          />
          <button type="submit" className="button primary">
            Save
          </button>
          <button type="button" className="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      </li>
    );
  }
  return (
    <li className={`todo${row.complete ? ' done' : ''}`} data-id={row.id}>
      <input
        type="checkbox"
        aria-label={`Done: ${row.text}`}
        checked={row.complete}
        onChange={(event) =>
          void attempt(() => todos.update({ id: row.id, complete: event.target.checked }))
        }
      />
      <div className="todo-body">
        <span className="todo-text">{row.text}</span>
        <span className={`due${overdue && !row.complete ? ' overdue' : ''}`}>{label}</span>
      </div>
      {pending && (
        <span className="unsynced" title="Not on the server yet">
          not synced
        </span>
      )}
      <button
        type="button"
        className="button icon"
        aria-label={`Edit ${row.text}`}
        onClick={startEditing}
      >
        ✎
      </button>
      <button
        type="button"
        className="button icon danger"
        aria-label={`Delete ${row.text}`}
        onClick={() => void attempt(() => todos.delete(row.id))}
      >
        ✕
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
