/** The limits a gateway enforces, each with a clear LIMIT_EXCEEDED error. */
export interface GatewayLimits {
  /** Rows a pull returns when `limit` is absent. */
  pullDefault: number;
  /** Most rows one pull may ask for. */
  pullMax: number;
  /** Most pages one `pull<Table>Pages` answers; it answers fewer when asked for more. */
  pullMaxPages: number;
  /** Most operations in one `push`. */
  pushMaxOperations: number;
  /** Most bytes in one request body. */
  maxBodyBytes: number;
  /** Deepest selection in one operation; a fragment counts as a level, `__schema` not at all. */
  maxDepth: number;
  /** Most aliases in one operation. */
  maxAliases: number;
  /** Highest cost of one operation, as graphql-armor counts it (`__schema` not counted). */
  maxCost: number;
  /** Most tokens in one GraphQL document. */
  maxTokens: number;
  /** Most directives in one operation. */
  maxDirectives: number;
  /** Most `changes` streams one user may hold open on one gateway process at once. */
  maxStreamsPerUser: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  pullDefault: 100,
  pullMax: 1000,
  // Ten pages of a thousand rows: an answer of a few megabytes, and a hundredth of the
  // requests a large first sync made with a page each.
  pullMaxPages: 10,
  pushMaxOperations: 500,
  maxBodyBytes: 2 * 1024 * 1024,
  // The client's deepest request is 4 (push > row > `... on Table` > column); 7 leaves room
  // for named fragments. (graphql itself refuses introspection nested deeper than 3.)
  maxDepth: 7,
  // No request of ours uses aliases; hand-written queries get a few.
  maxAliases: 10,
  // The client's push selects every column of every table: about 3.4 per column and 4.5
  // per table, so 5,000 admits a model of about 1,400 columns.
  maxCost: 5000,
  // The push is about one token per column and five per table; GraphiQL's schema query
  // is about 200.
  maxTokens: 2000,
  // No request of ours uses directives; `@include`/`@skip` on a few fields pass.
  maxDirectives: 20,
  // The client holds one stream per browser; a user has a few devices and browsers, and a
  // device that lost its network reconnects before the gateway notices its old stream is
  // dead (a half-open connection holds its place until a write to it fails). Twenty covers
  // that with room to spare, and bounds what one stolen token can hold open.
  maxStreamsPerUser: 20,
};

/** Longest opId or row id, in characters. */
export const MAX_ID_LENGTH = 128;
