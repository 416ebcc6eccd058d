import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `global.gc` without `--expose-gc` on the command line, so memory is measured after a full collection. */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** This process's memory once collections have freed what they can (buffers are freed a moment after). */
export async function settledMemory(gc: () => void): Promise<NodeJS.MemoryUsage> {
  for (let pass = 0; pass < 3; pass++) {
    gc();
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage();
}
