import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The client's browser bundle, bundled the way an app would: its code and its files. */
async function bundled(options: { minify: boolean }) {
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
  return { files, code: result.outputFiles[0]?.contents ?? new Uint8Array() };
}

/**
 * DESIGN.md: dependencies point one way (client -> schema), and the browser bundle carries
 * no database driver. Bundling it the way an app would is the proof.
 */
describe('the client bundle', () => {
  it('holds no gateway, database driver or server library', async () => {
    const { files } = await bundled({ minify: false });
    // The package each input file belongs to is the segment after its last node_modules/.
    const forbidden =
      /gateway\/src|node_modules\/(@electric-sql|postgres|graphql-yoga|@pothos|pino|graphql)\//;
    expect(files.filter((path) => forbidden.test(path))).toEqual([]);
  });

  it("reads tables without Drizzle's column classes, the example model or React", async () => {
    const { files } = await bundled({ minify: true });
    // These made up a third of the bundle before (benchmarks: client size).
    const heavy =
      /drizzle-orm\/(pg-core|sql)\/|schema\/src\/(example-model|sync-table)\.ts|node_modules\/react\//;
    expect(files.filter((path) => heavy.test(path))).toEqual([]);
  });

  it('stays within 25 kB gzipped, as the benchmark measures it (esbuild, minified, gzip -9)', async () => {
    const { files, code } = await bundled({ minify: true });
    // Test helpers live in @syncline/client/testing, never in an app's bundle.
    expect(files.filter((path) => /store\/(memory-store|store-contract)\.ts/.test(path))).toEqual(
      [],
    );
    const gzipBytes = gzipSync(code, { level: 9 }).length;
    // The bundle from the sources; the built dist (docs/benchmarks.md) is a little smaller.
    expect(gzipBytes).toBeGreaterThan(10 * 1024);
    expect(gzipBytes).toBeLessThanOrEqual(25 * 1024);
  });
});
