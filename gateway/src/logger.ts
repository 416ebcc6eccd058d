import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat } from './config';

/**
 * The server's logger: one JSON object a line (production, and log collectors), or readable
 * lines for people (pino-pretty, in this process, written synchronously so that nothing is
 * lost when the process exits right after).
 */
export function createLogger(level: string, format: LogFormat): Logger {
  if (format === 'json') return pino({ level });
  return pino(
    { level },
    pretty({
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  );
}
