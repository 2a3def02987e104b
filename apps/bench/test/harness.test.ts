import { describe, expect, it } from 'vitest';
import { type TimedTask, timeInterleaved } from '../src/harness.js';

// timeMs 0 and 5 iterations: every task runs exactly 5 calls per round (no warm-up).
const plan = { rounds: 3, timeMs: 0, iterations: 5, warmupMs: 0 };

describe('timeInterleaved: a task that throws while timed', () => {
  it('drops that task from the later rounds, reports it, and keeps timing the others', async () => {
    let flakyCalls = 0;
    const after: string[] = [];
    const tasks: TimedTask[] = [
      { name: 'ok', fn: () => 1, async: false },
      {
        name: 'flaky',
        fn: () => {
          // fails in its second round: the 8th call
          if (++flakyCalls > 7) throw new Error('device lost');
          return 1;
        },
        async: false,
      },
      { name: 'ok-async', fn: async () => 1, async: true },
    ];
    const { timings, failures } = await timeInterleaved(tasks, plan, undefined, (name) => after.push(name));
    expect(timings.map((t) => [t.name, t.rounds, t.samples])).toEqual([
      ['ok', 3, 15],
      ['ok-async', 3, 15],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ name: 'flaky', round: 1, roundsLeft: 2 });
    expect((failures[0]?.error as Error).message).toBe('device lost');
    // not called again after the failure (round 3 skipped it)
    expect(flakyCalls).toBe(8);
    expect(after).toEqual(['ok', 'flaky', 'ok-async', 'ok', 'ok-async', 'ok', 'ok-async']);
  });

  it('catches a rejected promise and a failing enter() the same way', async () => {
    const tasks: TimedTask[] = [
      { name: 'rejects', fn: () => Promise.reject(new Error('lost context')), async: true },
      {
        name: 'bad-enter',
        fn: () => 1,
        async: false,
        enter: () => {
          throw new Error('no such backend');
        },
      },
      { name: 'ok', fn: () => 1, async: false },
    ];
    const { timings, failures } = await timeInterleaved(tasks, plan, undefined, () => {});
    expect(timings.map((t) => t.name)).toEqual(['ok']);
    expect(failures.map((f) => [f.name, f.round, (f.error as Error).message])).toEqual([
      ['rejects', 0, 'lost context'],
      ['bad-enter', 0, 'no such backend'],
    ]);
  });
});
