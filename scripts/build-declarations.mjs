// Emits a package's declarations with the repository's `tsc` (TypeScript 7 has no JS API for
// bundlers' declaration plugins), then gives their relative imports the `.js` extensions that
// Node's ESM resolution (and TypeScript's `nodenext`) asks for: `./sync-table` becomes
// `./sync-table.js`, `./react` becomes `./react/index.js`. Run in a package folder.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const specifier = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

function withExtension(file, path) {
  if (/\.(js|mjs|cjs|json)$/.test(path)) return path;
  const target = resolve(dirname(file), path);
  if (existsSync(`${target}.d.ts`)) return `${path}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${path}/index.js`;
  throw new Error(`${file}: cannot resolve the declaration of "${path}"`);
}

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(file, 'utf8');
      const fixed = text.replace(
        specifier,
        (_, keyword, quote, path) => `${keyword}${quote}${withExtension(file, path)}${quote}`,
      );
      if (fixed !== text) writeFileSync(file, fixed);
    }
  }
}

walk('dist');
