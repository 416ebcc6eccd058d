import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

export const CLIENT_SIZE_GOAL = 25 * 1024;

export interface ClientSize {
  gzipBytes: number;
  minifiedBytes: number;
  /** Gzipped size of the same bundle with a dependency left out: what replacing it could save. */
  without: { dependency: string; gzipBytes: number }[];
  /** Minified bytes in the bundle per package, largest first. */
  packages: { name: string; bytes: number }[];
  /** The largest input files, minified bytes in the bundle. */
  files: { path: string; bytes: number }[];
  met: boolean;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** The public entry of `@syncline/client` (React bindings are the separate `./react` entry). */
async function bundle(external: string[]) {
  const result = await build({
    stdin: { contents: "export * from '@syncline/client';", resolveDir: here, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { code, metafile: result.metafile as Metafile };
}

/** esbuild (minify, ESM, browser) and gzip level 9, as a bundler would ship it. */
export async function clientSize(): Promise<ClientSize> {
  const full = await bundle([]);
  const without = [];
  for (const dependency of ['drizzle-orm', '@urql/core']) {
    const lean = await bundle([dependency, `${dependency}/*`]);
    without.push({ dependency, gzipBytes: gzipSync(lean.code, { level: 9 }).length });
  }
  const inputs = Object.values(full.metafile.outputs)[0]?.inputs ?? {};
  const files = Object.entries(inputs)
    .map(([path, input]) => ({ path: shortPath(path), bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  const byPackage = new Map<string, number>();
  for (const file of files) {
    const name = packageOf(file.path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + file.bytes);
  }
  const gzipBytes = gzipSync(full.code, { level: 9 }).length;
  const size: ClientSize = {
    gzipBytes,
    minifiedBytes: full.code.length,
    without,
    packages: [...byPackage]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes),
    files: files.slice(0, 12),
    met: gzipBytes <= CLIENT_SIZE_GOAL,
  };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  console.log(
    `  client size             ${kb(size.gzipBytes)} gzipped (${kb(size.minifiedBytes)} minified), goal <= 25 kB: ${size.met ? 'met' : 'MISSED'}`,
  );
  const top = size.packages.slice(0, 5).map((entry) => `${entry.name} ${kb(entry.bytes)}`);
  console.log(`    minified bytes by package: ${top.join(', ')}`);
  for (const entry of without) {
    console.log(`    without ${entry.dependency}: ${kb(entry.gzipBytes)} gzipped`);
  }
  return size;
}

/** `../node_modules/.pnpm/x@1/node_modules/x/a.js` -> `x/a.js`; workspace files keep their path. */
function shortPath(path: string): string {
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) return path.slice(inModules + 'node_modules/'.length);
  return path.replace(/^(\.\.\/)+/, '');
}

function packageOf(path: string): string {
  const workspace = path.match(/^(client|schema)\//);
  if (workspace) return `@syncline/${workspace[1]}`;
  const parts = path.split('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}
