import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** A Markdown table with padded columns, the way the repository's formatter lays them out. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [head, ...rows].map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = head.map((_, column) =>
    Math.max(3, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    `| ${widths.map((width, column) => (row[column] ?? '').padEnd(width)).join(' | ')} |`;
  const [first, ...rest] = cells;
  return [
    line(first ?? []),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rest.map(line),
  ].join('\n');
}

const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));

/** Runs Biome's formatter on a written file, so that `pnpm lint` stays green after a run. */
export async function formatWithBiome(path: string): Promise<void> {
  if (!existsSync(biome)) return;
  await promisify(execFile)(biome, ['format', '--write', path]).catch((error: unknown) => {
    console.error(`  biome format ${path} failed: ${String(error)}`);
  });
}
