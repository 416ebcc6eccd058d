import { table } from './markdown';
import { PROPAGATION_GOAL, type PropagationReport, type PropagationScenario } from './propagation';
import type { Outcome } from './report';

/** A time as the page shows times; a step no device was seen to take has none (JSON null). */
const ms = (value: number | null) =>
  typeof value !== 'number' || !Number.isFinite(value)
    ? 'n/a'
    : `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;

const goal = `p50 <= ${PROPAGATION_GOAL.p50Ms} ms, p99 <= ${PROPAGATION_GOAL.p99Ms} ms`;

/** The propagation benchmark's figures on one database: the times, then where they go. */
export function propagationTable(propagation: Outcome<PropagationReport> | undefined): string {
  if (!propagation) return '';
  if ('failed' in propagation) return `Propagation: failed (${propagation.failed}).`;
  const measured = propagation.scenarios.filter(
    (scenario): scenario is PropagationScenario => !('failed' in scenario),
  );
  const times = propagation.scenarios.map((scenario) =>
    'failed' in scenario
      ? [scenario.name, `failed: ${scenario.failed}`, '', '', '', '', '']
      : [
          scenario.name,
          ms(scenario.pushMs),
          ms(scenario.streamMs),
          ms(scenario.p50Ms),
          ms(scenario.p99Ms),
          ms(scenario.maxMs),
          `${goal} ${scenario.met ? 'met' : '**missed**'}`,
        ],
  );
  const both = (time: { p50Ms: number; p99Ms: number }) => `${ms(time.p50Ms)} / ${ms(time.p99Ms)}`;
  const steps = measured.map((scenario) => [
    scenario.name,
    both(scenario.steps.hint),
    both(scenario.steps.pull),
    both(scenario.steps.answer),
    both(scenario.steps.store),
    both(scenario.steps.watch),
    ms(scenario.cpuPerWriteMs.gateway),
    ms(scenario.cpuPerWriteMs.subscribers),
  ]);
  return [
    `From a write on one device to the screens of others (run of ${propagation.date}; goal: ${goal} with 100 subscribers, on loopback). One \`createSyncClient\` inserts a row and pushes it at once, as an app does; each subscriber, another \`createSyncClient\` holding the live stream, has a query that the row falls in and a \`watch()\` of it. Times from just before the insert: the push's answer and the baseline are medians of ${propagation.rounds} writes, the screen over every subscriber and write:`,
    '',
    table(
      [
        'subscribers',
        'push answered',
        'baseline: a raw change stream heard the hint',
        'on screen p50',
        'p99',
        'max',
        'goal',
      ],
      times,
    ),
    '',
    ...(steps.length
      ? [
          "Where that time goes: each step on its own, p50 / p99 over every subscriber and write (the first from the insert, each other from the step before), and the CPU time per write of the gateway process the subscribers use (with one gateway, the writer's push too) and of the subscribers' process:",
          '',
          table(
            [
              'subscribers',
              "hint read by the client's stream",
              'pull sent',
              'pull answered',
              'rows in the store',
              'shown by `watch()`',
              'CPU: gateway',
              'CPU: subscribers',
            ],
            steps,
          ),
        ]
      : []),
  ].join('\n');
}
