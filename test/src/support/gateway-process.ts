import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const GATEWAY_DIR = fileURLToPath(new URL('../../../gateway/', import.meta.url));

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface GatewayProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  running(): boolean;
  /** Its exit code, once it exited (null when a signal ended it). */
  exited: Promise<number | null>;
  /** `kill -9`. */
  kill(): void;
  /** SIGTERM, then its exit. */
  stop(): Promise<number | null>;
  /**
   * Polls `condition` until it holds, for at most `timeoutMs` (15 s); fails at once, with
   * the gateway's output, when the process has died.
   */
  waitFor(
    what: string,
    condition: () => boolean | Promise<boolean>,
    timeoutMs?: number,
  ): Promise<void>;
}

/**
 * `gateway/src/server.ts` in a process of its own, as `pnpm start` runs it (but with no
 * `tsx` process in between, so that signals reach it), resolved once `/health` answers.
 * The environment is this one's plus `env`; no `DATABASE_URL` unless `env` gives one
 * (PGlite), `LOG_LEVEL` info.
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  port?: number,
): Promise<GatewayProcess> {
  const listening = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: GATEWAY_DIR,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'info', ...env, PORT: String(listening) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${listening}`;
  const waitFor: GatewayProcess['waitFor'] = async (what, condition, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await condition()) return;
      if (!running()) throw new Error(`the gateway exited waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const gateway: GatewayProcess = {
    url,
    port: listening,
    child,
    output: () => output,
    running,
    exited,
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
    stop: () => {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    waitFor,
  };
  const healthy = () =>
    fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
  await waitFor('the gateway to answer /health', healthy, 60_000);
  return gateway;
}
