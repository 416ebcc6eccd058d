import { useLiveQuery } from '@syncline/client/react';
import { useEffect } from 'react';
import { OPEN_JOBS } from '../sync';
import { useAppClient, usePendingRows } from '../use-app-client';
import { AddTodo } from './add-todo';
import { TodoRow } from './todo-row';

/**
 * The technician's open jobs, soonest due first. A job completed here stays (ticked) until
 * the change is synced; then, like one completed on another device, it leaves this device,
 * which keeps the open jobs only.
 */
export function TodoList() {
  const client = useAppClient();
  const todos = client.table('todoItem');
  const { rows: found, loading } = useLiveQuery(todos, { orderBy: { createdAt: 'asc' } });
  const rows = [...found].sort(byUrgency);
  const pendingRows = usePendingRows();

  useEffect(() => {
    // Registers the query once; every later sync pulls it again from its cursor.
    void todos.pull(OPEN_JOBS.queryId, { where: OPEN_JOBS.where });
  }, [todos]);

  return (
    <section className="panel" aria-labelledby="jobs-title">
      <div className="panel-head">
        <h1 id="jobs-title">Today’s jobs</h1>
      </div>
      <AddTodo onAdd={(text, dueDate) => todos.insert({ text, dueDate, complete: false })} />
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
