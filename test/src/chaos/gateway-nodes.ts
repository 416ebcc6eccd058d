import { appendFileSync } from 'node:fs';
import type { Server } from 'node:http';
import {
  createDrainer,
  createGateway,
  createHttpServer,
  createJwtAuthenticate,
  type Drainer,
  type Gateway,
  type SyncDatabase,
} from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import pino from 'pino';
import { freePort, type GatewayProcess, startGatewayProcess } from '../support/gateway-process';

/** One gateway behind the chaos run's load balancer. */
export interface GatewayNode {
  readonly name: string;
  /** Where it listens; undefined while it is down. */
  readonly origin: string | undefined;
  start(): Promise<void>;
  /** Gone at once, in the middle of whatever it was doing (`kill -9`). */
  kill(): Promise<void>;
  /** Asked to stop (`SIGTERM`): how it ended and how long it took. */
  terminate(): Promise<Termination>;
  /** Exits nobody asked for, with the end of the log. */
  readonly crashes: string[];
}

export interface Termination {
  /** 0 for a clean stop. */
  exitCode: number | null;
  ms: number;
}

export interface ProcessNodeOptions {
  name: string;
  databaseUrl: string;
  jwtSecret: string;
  /** The node's log file. */
  logFile: string;
  /** How long a SIGTERM may take before the run counts it as a failure. */
  shutdownMs: number;
}

/** A gateway process, started as `pnpm start` starts it, on the same port every time. */
export function processNode(options: ProcessNodeOptions): GatewayNode {
  let running: GatewayProcess | undefined;
  let port: number | undefined;
  const crashes: string[] = [];

  const stopped = (gateway: GatewayProcess) => {
    if (running === gateway) running = undefined;
  };

  return {
    name: options.name,
    get origin() {
      return running?.url;
    },
    crashes,
    async start() {
      const gateway = await startGatewayProcess(
        {
          DATABASE_URL: options.databaseUrl,
          SYNCLINE_JWT_SECRET: options.jwtSecret,
          SYNCLINE_SHUTDOWN_TIMEOUT_SECONDS: String(Math.floor(options.shutdownMs / 1000)),
          LOG_LEVEL: 'warn',
        },
        port,
      );
      port = gateway.port;
      running = gateway;
      void gateway.exited.then((code) => {
        appendFileSync(options.logFile, gateway.output());
        if (running !== gateway) return; // Stopped on purpose.
        running = undefined;
        const tail = gateway.output().trim().split('\n').slice(-20).join('\n  ');
        crashes.push(`${options.name} exited by itself (code ${code}):\n  ${tail}`);
      });
    },
    async kill() {
      const gateway = running;
      if (!gateway) return;
      stopped(gateway);
      gateway.kill();
      await gateway.exited;
    },
    async terminate() {
      const gateway = running;
      if (!gateway) return { exitCode: 0, ms: 0 };
      stopped(gateway);
      const started = performance.now();
      gateway.child.kill('SIGTERM');
      const late = new Promise<'late'>((resolve) =>
        setTimeout(() => resolve('late'), options.shutdownMs + 5_000).unref(),
      );
      const code = await Promise.race([gateway.exited, late]);
      const ms = performance.now() - started;
      if (code !== 'late') return { exitCode: code, ms };
      gateway.kill();
      await gateway.exited;
      return { exitCode: null, ms };
    },
  };
}

export interface InProcessNodeOptions {
  name: string;
  /** The database as it is now: a database restart replaces it. */
  database: () => SyncDatabase;
  jwtSecret: string;
  /** How long a graceful stop may take, as `SYNCLINE_SHUTDOWN_TIMEOUT_SECONDS` says. */
  shutdownMs: number;
}

/**
 * A gateway inside the chaos process, for databases that one process owns (PGlite). A
 * kill drops every connection at once; the work already begun still finishes, as it would
 * on a server whose connections break.
 */
export function inProcessNode(options: InProcessNodeOptions): GatewayNode {
  let serving: { server: Server; gateway: Gateway; drainer: Drainer } | undefined;
  let port: number | undefined;

  /** Graceful: as `SIGTERM` stops a gateway process; else every connection drops at once. */
  const stopServing = async (graceful: boolean) => {
    const running = serving;
    serving = undefined;
    if (!running) return;
    if (graceful) {
      await running.drainer.drain(options.shutdownMs - 1000);
    } else {
      const closed = new Promise<void>((resolve) => running.server.close(() => resolve()));
      running.server.closeAllConnections();
      await closed;
    }
    await running.gateway.dispose();
  };

  return {
    name: options.name,
    get origin() {
      return serving && port !== undefined ? `http://127.0.0.1:${port}` : undefined;
    },
    crashes: [],
    async start() {
      port ??= await freePort();
      const gateway = createGateway({
        tables: exampleTables,
        database: options.database(),
        authenticate: createJwtAuthenticate({ secret: options.jwtSecret }),
        logger: pino({ level: 'silent' }),
      });
      const server = createHttpServer(gateway);
      const drainer = createDrainer(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      serving = { server, gateway, drainer };
    },
    kill: () => stopServing(false),
    async terminate() {
      const started = performance.now();
      await stopServing(true);
      return { exitCode: 0, ms: performance.now() - started };
    },
  };
}
