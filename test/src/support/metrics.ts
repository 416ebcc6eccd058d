import type { TestGateway } from './gateway-client';

/** Scrapes the in-process gateway's `/metrics`, as Prometheus would. */
export async function scrape(gateway: TestGateway, headers: Record<string, string> = {}) {
  const response = await gateway.yoga.fetch('http://gateway.test/metrics', { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** One sample of the text format: `name{label="value",...} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const parsed: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    parsed.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return parsed;
}

/**
 * The sum of the samples of `name` whose labels include `labels`; undefined when there is
 * none (a family with labels has no sample until its first event).
 */
export function metric(text: string, name: string, labels: Record<string, string> = {}) {
  const matching = samples(text).filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, each) => sum + each.value, 0);
}

/** Whether the scrape declares the family (its `# HELP` line), with or without samples. */
export function declares(text: string, name: string): boolean {
  return new RegExp(`^# HELP ${name} \\S`, 'm').test(text);
}
