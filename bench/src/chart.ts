import { CLIENT_SIZE_GOAL } from './client-size';
import type { BenchReport, Reports } from './report';

/** One bar: a ratio to the baseline (or, for the client size, to its budget). */
interface Bar {
  kind: BenchReport['kind'] | 'both';
  value: number;
  label: string;
  met: boolean;
}

interface Group {
  name: string;
  goal: number;
  bars: Bar[];
}

const WIDTH = 760;
const LEFT = 170;
const RIGHT = 70;
const BAR = 14;
const COLORS = {
  met: { postgres: '#2e7d32', pglite: '#81c784', both: '#2e7d32' },
  missed: { postgres: '#c62828', pglite: '#ef9a9a', both: '#c62828' },
};

function groups(reports: Reports): Group[] {
  const byName = new Map<string, Group>();
  for (const kind of ['postgres', 'pglite'] as const) {
    for (const entry of reports[kind]?.comparisons ?? []) {
      if ('failed' in entry) continue;
      const group = byName.get(entry.name) ?? { name: entry.name, goal: entry.goal, bars: [] };
      group.bars.push({
        kind,
        value: entry.ratio,
        label: `${entry.ratio.toFixed(2)}x`,
        met: entry.met,
      });
      byName.set(entry.name, group);
    }
  }
  const size = (reports.postgres ?? reports.pglite)?.size;
  if (size && !('failed' in size)) {
    const kb = (size.gzipBytes / 1024).toFixed(1);
    byName.set('client size', {
      name: 'client size (of 25 kB)',
      goal: 1,
      bars: [
        {
          kind: 'both',
          value: size.gzipBytes / CLIENT_SIZE_GOAL,
          label: `${kb} kB`,
          met: size.met,
        },
      ],
    });
  }
  return [...byName.values()];
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** A horizontal bar chart of each benchmark's ratio, its goal marked; no chart library. */
export function chart(reports: Reports): string {
  const all = groups(reports);
  const largest = Math.max(
    2,
    ...all.flatMap((group) => [group.goal, ...group.bars.map((bar) => bar.value)]),
  );
  const max = Math.min(Math.ceil(largest), 12);
  const x = (value: number) => LEFT + (Math.min(value, max) / max) * (WIDTH - LEFT - RIGHT);
  const parts: string[] = [];
  let y = 50;
  for (const group of all) {
    const top = y;
    for (const bar of group.bars) {
      const color = COLORS[bar.met ? 'met' : 'missed'][bar.kind];
      parts.push(
        `<rect x="${LEFT}" y="${y}" width="${(x(bar.value) - LEFT).toFixed(1)}" height="${BAR}" fill="${color}"/>`,
        `<text x="${(Math.max(x(bar.value), x(group.goal)) + 5).toFixed(1)}" y="${y + 11}">${escapeXml(bar.label)}${bar.value > max ? ' (off scale)' : ''}</text>`,
      );
      y += BAR + 2;
    }
    const middle = (top + y) / 2 + 4;
    parts.push(
      `<text x="${LEFT - 8}" y="${middle}" text-anchor="end">${escapeXml(group.name)}</text>`,
      `<line x1="${x(group.goal)}" x2="${x(group.goal)}" y1="${top - 3}" y2="${y + 1}" stroke="#000" stroke-width="2"/>`,
    );
    y += 14;
  }
  const ticks = Array.from({ length: max + 1 }, (_, value) => value).map(
    (value) =>
      `<line x1="${x(value)}" x2="${x(value)}" y1="40" y2="${y - 8}" stroke="#ddd"/><text x="${x(value)}" y="${y + 6}" text-anchor="middle" fill="#555">${value}x</text>`,
  );
  const legend = [
    `<rect x="${LEFT}" y="14" width="12" height="12" fill="${COLORS.met.postgres}"/><text x="${LEFT + 16}" y="24">Postgres server</text>`,
    `<rect x="${LEFT + 130}" y="14" width="12" height="12" fill="${COLORS.met.pglite}"/><text x="${LEFT + 146}" y="24">PGlite</text>`,
    `<line x1="${LEFT + 216}" x2="${LEFT + 216}" y1="12" y2="28" stroke="#000" stroke-width="2"/><text x="${LEFT + 222}" y="24">goal (red bars miss it)</text>`,
  ];
  const height = y + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" font-family="sans-serif" font-size="12">`,
    '<title>Syncline time over baseline time per benchmark, against the goals</title>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...ticks,
    ...legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
