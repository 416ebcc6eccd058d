/** A row as the chaos checks compare it. */
export interface TodoRow {
  id: string;
  version: number;
  text: string;
  complete: boolean;
  dueDate: string | null;
  deleted: boolean;
}

export interface ModelRow {
  id: string;
  version: number;
  accoladeCount: number;
}

/** The server's truth, read over GraphQL as any client would. */
export interface ServerView {
  /** Each user's to-dos, tombstones included. */
  todos: Map<string, Map<string, TodoRow>>;
  models: Map<string, ModelRow>;
}

const TODOS = `query ($after: Cursor) {
  page: pullTodoItems(after: $after, limit: 1000) {
    rows { id version text complete dueDate deleted }
    cursor
    hasMore
  }
}`;
const MODELS = `query ($after: Cursor) {
  page: pullVehicleModels(after: $after, limit: 1000) {
    rows { id version accoladeCount deleted }
    cursor
    hasMore
  }
}`;

/** Reads every user's to-dos (with each user's token) and the vehicle models. */
export async function readServer(origin: string, tokens: Map<string, string>): Promise<ServerView> {
  const todos = new Map<string, Map<string, TodoRow>>();
  let anyToken = '';
  for (const [user, token] of tokens) {
    anyToken = token;
    const rows = await pullAll<TodoRow>(origin, token, TODOS);
    todos.set(user, new Map(rows.map((row) => [row.id, row])));
  }
  const models = await pullAll<ModelRow>(origin, anyToken, MODELS);
  return { todos, models: new Map(models.map((row) => [row.id, row])) };
}

async function pullAll<T>(origin: string, token: string, query: string): Promise<T[]> {
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: { after } }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as {
      data?: { page: { rows: T[]; cursor: string; hasMore: boolean } };
      errors?: unknown[];
    };
    if (!body.data) throw new Error(`reading the server failed: ${JSON.stringify(body.errors)}`);
    rows.push(...body.data.page.rows);
    after = body.data.page.cursor;
    if (!body.data.page.hasMore) return rows;
  }
}
