import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The files of the client's browser bundle, bundled the way an app would. */
async function bundledFiles(options: { minify: boolean }) {
  const entry = fileURLToPath(new URL('../../client/src/index.ts', import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: options.minify,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  // What is in the output, after tree shaking (metafile.inputs also lists files it dropped).
  const output = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const files = Object.entries(output)
    .filter(([, used]) => used.bytesInOutput > 0)
    .map(([path]) => path);
  expect(files.some((path) => path.includes('client/src/engine/push.ts'))).toBe(true);
  return files;
}

/**
 * DESIGN.md: dependencies point one way (client -> schema), and the browser bundle carries
 * no database driver. Bundling it the way an app would is the proof.
 */
describe('the client bundle', () => {
  it('holds no gateway, database driver or server library', async () => {
    const files = await bundledFiles({ minify: false });
    // The package each input file belongs to is the segment after its last node_modules/.
    const forbidden =
      /gateway\/src|node_modules\/(@electric-sql|postgres|graphql-yoga|@pothos|pino|graphql)\//;
    expect(files.filter((path) => forbidden.test(path))).toEqual([]);
  });

  it("reads tables without Drizzle's column classes, the example model or React", async () => {
    const files = await bundledFiles({ minify: true });
    // These made up a third of the bundle before (benchmarks: client size).
    const heavy =
      /drizzle-orm\/(pg-core|sql)\/|schema\/src\/(example-model|sync-table)\.ts|node_modules\/react\//;
    expect(files.filter((path) => heavy.test(path))).toEqual([]);
  });
});
