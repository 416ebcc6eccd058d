import { type ChildProcess, fork } from 'node:child_process';

/** A message a bench child process sends: a `type`, and `failed` when its work threw. */
type ChildMessage = { type: string } | { type: 'failed'; message: string };

/**
 * Talks to a forked bench process (`who`, for the errors): `next` waits for its next
 * message of a type (or a failure), `ask` sends a message and waits for the answer's type.
 */
export function conversation<To extends object, From extends ChildMessage>(
  child: ChildProcess,
  who: string,
) {
  const next = <T extends From['type']>(type: T, timeoutMs = 10_000) =>
    new Promise<Extract<From, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`no "${type}" from ${who} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const onMessage = (message: From) => {
        if (message.type !== type && message.type !== 'failed') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.type === 'failed' && 'message' in message) {
          reject(new Error(`${who}: ${String(message.message)}`));
        } else resolve(message as Extract<From, { type: T }>);
      };
      child.on('message', onMessage);
    });
  return {
    next,
    ask<T extends From['type']>(message: To, answer: T, timeoutMs?: number) {
      const answered = next(answer, timeoutMs);
      child.send(message);
      return answered;
    },
  };
}

/** Waits until the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Forks a bench script (TypeScript, through tsx) with IPC, its output on the bench's.
 * `BENCH_CPU_PROF=<folder>` has it write a CPU profile there (`node --cpu-prof`), as
 * `node --cpu-prof` does for the bench's own process; NODE_OPTIONS may not carry it.
 */
export function forkScript(script: URL, args: readonly string[] = []): ChildProcess {
  const profiles = process.env.BENCH_CPU_PROF;
  const profiling = profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [];
  return fork(script, args, {
    execArgv: [...profiling, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
