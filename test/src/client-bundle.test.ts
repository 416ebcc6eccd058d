import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md: dependencies point one way (client -> schema), and the browser bundle carries
 * no database driver. Bundling it the way an app would is the proof.
 */
describe('the client bundle', () => {
  it('holds no gateway, database driver or server library', async () => {
    const entry = fileURLToPath(new URL('../../client/src/index.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('client/src/engine/push.ts'))).toBe(true);
    // The package each input file belongs to is the segment after its last node_modules/.
    const forbidden =
      /gateway\/src|node_modules\/(@electric-sql|postgres|graphql-yoga|@pothos|pino|graphql)\//;
    expect(inputs.filter((path) => forbidden.test(path))).toEqual([]);
  });
});
