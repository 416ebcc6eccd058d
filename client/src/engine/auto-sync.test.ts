import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Attempt, AutoSync } from './auto-sync';

describe('AutoSync', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A sync that answers from a script and records when it ran (fake time). */
  function scripted(...answers: Attempt[]) {
    const runs: number[] = [];
    const sync = async (): Promise<Attempt> => {
      runs.push(Date.now());
      return answers.shift() ?? 'synced';
    };
    return { runs, sync };
  }

  it('syncs at once, then on the interval', async () => {
    const { runs, sync } = scripted();
    const start = Date.now();
    const auto = new AutoSync(sync, () => {}, { intervalMs: 10_000, target: new EventTarget() });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(runs.map((at) => at - start)).toEqual([0, 10_000, 20_000]);
    auto.stop();
  });

  it('backs off while offline, doubling up to the maximum, and resets on success', async () => {
    const { runs, sync } = scripted(
      'offline',
      'offline',
      'offline',
      'offline',
      'offline',
      'synced',
    );
    const start = Date.now();
    const auto = new AutoSync(sync, () => {}, {
      intervalMs: 60_000,
      maxBackoffMs: 5_000,
      target: new EventTarget(),
    });
    await vi.advanceTimersByTimeAsync(20_000);
    // 0, +1 s, +2 s, +4 s, +5 s (capped), +5 s, then the interval.
    expect(runs.map((at) => at - start)).toEqual([0, 1_000, 3_000, 7_000, 12_000, 17_000]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs.at(-1)).toBe(start + 77_000);
    auto.stop();
  });

  it('syncs on the online event without waiting for the backoff, and reports offline', async () => {
    const { runs, sync } = scripted('offline', 'offline');
    const target = new EventTarget();
    const offline = vi.fn();
    const start = Date.now();
    const auto = new AutoSync(sync, offline, { intervalMs: 60_000, maxBackoffMs: 60_000, target });
    await vi.advanceTimersByTimeAsync(1_500); // runs at 0 and 1 s; the next retry is at 3 s
    target.dispatchEvent(new Event('offline'));
    expect(offline).toHaveBeenCalledTimes(1);
    target.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.map((at) => at - start)).toEqual([0, 1_000, 1_500]);
    auto.stop();
  });

  it('never runs two syncs at once: a request during a run queues one more', async () => {
    let release: () => void = () => {};
    let running = 0;
    let most = 0;
    let count = 0;
    const sync = async (): Promise<Attempt> => {
      count++;
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => (release = resolve));
      running--;
      return 'synced';
    };
    const auto = new AutoSync(sync, () => {}, { intervalMs: 60_000, target: new EventTarget() });
    await vi.advanceTimersByTimeAsync(0);
    auto.now();
    auto.now();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect({ count, most }).toEqual({ count: 2, most: 1 });
    auto.stop();
  });

  it('stops: no more runs and no listeners', async () => {
    const { runs, sync } = scripted();
    const target = new EventTarget();
    const auto = new AutoSync(sync, () => {}, { intervalMs: 1_000, target });
    await vi.advanceTimersByTimeAsync(0);
    auto.stop();
    target.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
  });
});
