import { useLiveQuery } from '@syncline/client/react';
import { useEffect, useState } from 'react';
import { OPEN_JOBS } from '../sync';
import { useAppClient, usePendingRows } from '../use-app-client';
import { AddTodo } from './add-todo';
import { TodoRow } from './todo-row';

/** The technician's jobs: open ones first by due date, completed ones until purged. */
export function TodoList() {
  const client = useAppClient();
  const todos = client.table('todoItem');
  const { rows: found, loading } = useLiveQuery(todos, { orderBy: { createdAt: 'asc' } });
  const rows = [...found].sort(byUrgency);
  const pendingRows = usePendingRows();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    // Registers the query once; every later sync pulls it again from its cursor.
    void todos.pull(OPEN_JOBS.queryId, { where: OPEN_JOBS.where });
  }, [todos]);

  const completed = rows.filter((row) => row.complete).length;
  const purgeCompleted = async () => {
    const result = await todos.purge({ where: { complete: { eq: true } } });
    setNotice(
      result.status === 'purged'
        ? `Removed ${result.purged} completed job${result.purged === 1 ? '' : 's'} from this device`
        : `Sync first: ${result.pending} change${result.pending === 1 ? ' is' : 's are'} still waiting`,
    );
    // The purge forgot the cursor: pull the open jobs again so nothing open is missing.
    if (result.status === 'purged') void todos.pull(OPEN_JOBS.queryId, { where: OPEN_JOBS.where });
  };

  return (
    <section className="panel" aria-labelledby="jobs-title">
      <div className="panel-head">
        <h1 id="jobs-title">Today’s jobs</h1>
        <button
          type="button"
          className="button"
          onClick={() => void purgeCompleted()}
          disabled={completed === 0}
        >
          Purge completed ({completed})
        </button>
      </div>
      <AddTodo onAdd={(text, dueDate) => todos.insert({ text, dueDate, complete: false })} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {loading ? (
        <p className="empty">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No jobs yet. Add the first one above.</p>
      ) : (
        <ul className="todo-list" aria-label="Jobs">
          {rows.map((row) => (
            <TodoRow key={row.id} row={row} pending={pendingRows.has(`todoItem:${row.id}`)} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Open jobs first, soonest due first, jobs without a date after those with one. */
function byUrgency(a: { complete: boolean; dueDate: string | null }, b: typeof a): number {
  if (a.complete !== b.complete) return a.complete ? 1 : -1;
  if (a.dueDate === b.dueDate) return 0;
  if (a.dueDate === null) return 1;
  if (b.dueDate === null) return -1;
  return a.dueDate < b.dueDate ? -1 : 1;
}
