import { Bench } from 'tinybench';

/** How long and how often each task is timed; see MODES in run.ts. */
export interface TimingPlan {
  /** Interleaved rounds: every task runs once per round, in the same order (A B C, A B C, …). */
  rounds: number;
  /** tinybench time budget per task and round (ms). */
  timeMs: number;
  /** tinybench minimum iterations per task and round. */
  iterations: number;
  /** Warm-up per task before the first round (ms), after the validating call. */
  warmupMs: number;
}

export interface TimedTask {
  name: string;
  fn: () => unknown;
  /** The function returns a promise (tinybench then awaits it inside the timed window). */
  async: boolean;
  /** Runs (untimed) before the task's turn in each round, e.g. to switch the tfjs backend. */
  enter?: () => unknown;
}

export interface TaskTiming {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  rounds: number;
}

/**
 * Lets the event loop run (signals such as Ctrl-C, I/O, timers). tinybench's sync loops and
 * already-settled promises would otherwise keep everything in the microtask queue.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A task that threw (or rejected) while it was being timed; it was dropped from the later rounds. */
export interface TaskFailure {
  name: string;
  /** The round (0-based) in which it failed. */
  round: number;
  /** Rounds it will not run any more, the failed one included (progress accounting). */
  roundsLeft: number;
  error: unknown;
}

export interface InterleavedTimings {
  timings: TaskTiming[];
  failures: TaskFailure[];
}

/**
 * Times tasks with tinybench in interleaved rounds, so slow drift of a shared machine
 * (other jobs, thermal state, GC pressure) falls on every task alike rather than on
 * whichever ran last. Samples of all rounds are pooled; the median is the figure reported,
 * min and max show the spread. `afterTask` is called once per task per round (progress).
 * An abort takes effect between tasks, so a stopped run keeps every finished round.
 * A task whose call (or `enter`) throws is caught there: it is dropped from the later rounds,
 * its samples are discarded and it is returned in `failures`; the other tasks go on.
 */
export async function timeInterleaved(tasks: TimedTask[], plan: TimingPlan, signal: AbortSignal | undefined, afterTask: (name: string) => void): Promise<InterleavedTimings> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  const roundsDone = new Map<string, number>(tasks.map((t) => [t.name, 0]));
  const failures: TaskFailure[] = [];
  let active = [...tasks];
  for (let round = 0; round < plan.rounds && !signal?.aborted; round++) {
    for (const task of [...active]) {
      await yieldToEventLoop();
      if (signal?.aborted) break;
      try {
        await task.enter?.();
        // One Bench per task and round keeps the A B A B order under our control; tinybench
        // does the timing loop, the warm-up and the clock.
        const bench = new Bench({
          time: plan.timeMs,
          iterations: plan.iterations,
          warmup: round === 0 && plan.warmupMs > 0,
          warmupTime: plan.warmupMs,
          warmupIterations: 1,
          retainSamples: true,
          throws: true,
        });
        bench.add(task.name, task.fn, { async: task.async });
        await bench.run();
        const result = bench.tasks[0]?.result;
        if (result && 'latency' in result && result.latency.samples) {
          const pooled = samples.get(task.name) as number[];
          for (const sample of result.latency.samples) pooled.push(sample);
          roundsDone.set(task.name, (roundsDone.get(task.name) as number) + 1);
        }
      } catch (error) {
        failures.push({ name: task.name, round, roundsLeft: plan.rounds - round, error });
        samples.delete(task.name);
        active = active.filter((t) => t !== task);
        continue;
      }
      afterTask(task.name);
    }
  }
  const timings: TaskTiming[] = [];
  for (const task of tasks) {
    const s = samples.get(task.name)?.sort((p, q) => p - q);
    if (!s || s.length === 0) continue;
    timings.push({ name: task.name, medianMs: median(s), minMs: s[0] as number, maxMs: s[s.length - 1] as number, samples: s.length, rounds: roundsDone.get(task.name) as number });
  }
  return { timings, failures };
}
