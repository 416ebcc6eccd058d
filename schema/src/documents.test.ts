import { describe, expect, it } from 'vitest';
import { describeSyncTable } from './describe-table';
import {
  CHANGES_DOCUMENT,
  CHANGES_OPERATION,
  PROBE_DOCUMENT,
  PROBE_OPERATION,
  PULL_OPERATION,
  PUSH_OPERATION,
  pullDocument,
  pushDocument,
} from './documents';
import { todoItem, vehicleModel } from './example-model';

describe("the client's documents", () => {
  const todos = describeSyncTable(todoItem);
  const models = describeSyncTable(vehicleModel);

  it('are named by their operation names', () => {
    expect(pullDocument(todos)).toMatch(new RegExp(`^query ${PULL_OPERATION}\\(`));
    expect(pushDocument([todos])).toMatch(new RegExp(`^mutation ${PUSH_OPERATION}\\(`));
    expect(CHANGES_DOCUMENT).toMatch(new RegExp(`^subscription ${CHANGES_OPERATION} `));
    expect(PROBE_DOCUMENT).toMatch(new RegExp(`^query ${PROBE_OPERATION} `));
  });

  it("pull every field of the table, the cursor and the rows that left, and push every table's row", () => {
    expect(pullDocument(todos)).toContain(
      'pullTodoItemPages(after: $after, limit: $limit, pages: $pages, where: $where) { rows @stream { id version createdAt updatedAt deleted text complete dueDate userId } cursor hasMore movedOut }',
    );
    const push = pushDocument([todos, models]);
    expect(push).toContain('... on TodoItem { id version');
    expect(push).toContain('... on VehicleModel { id version');
  });
});
