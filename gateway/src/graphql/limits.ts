/** The limits a gateway enforces, each with a clear LIMIT_EXCEEDED error. */
export interface GatewayLimits {
  /** Rows a pull returns when `limit` is absent. */
  pullDefault: number;
  /** Most rows one pull may ask for. */
  pullMax: number;
  /** Most operations in one `push`. */
  pushMaxOperations: number;
  /** Most bytes in one request body. */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  pullDefault: 100,
  pullMax: 1000,
  pushMaxOperations: 500,
  maxBodyBytes: 2 * 1024 * 1024,
};

/** Longest opId or row id, in characters. */
export const MAX_ID_LENGTH = 128;
