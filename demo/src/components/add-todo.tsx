import { type FormEvent, useState } from 'react';
import { fromDateInput } from './dates';

export function AddTodo(props: { onAdd(text: string, dueDate: string | null): Promise<unknown> }) {
  const [text, setText] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    try {
      await props.onAdd(text.trim(), fromDateInput(due));
      setText('');
      setDue('');
      setError(undefined);
    } catch (failure) {
      setError(String(failure));
    }
  };
  return (
    <form className="add-todo" onSubmit={(event) => void submit(event)}>
      <input
        aria-label="New job"
        placeholder="What needs doing?"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <input
        aria-label="Due date"
        type="date"
        value={due}
        onChange={(event) => setDue(event.target.value)}
      />
      <button type="submit" className="button primary" disabled={!text.trim()}>
        Add
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
