import { checkApalu } from './check.js';
import { loadFamilies } from './entries/index.js';
import { UsageError } from './errors.js';
import { type TimedTask, timeInterleaved, yieldToEventLoop } from './harness.js';
import { CHANNELS, makeInput } from './inputs.js';
import { machineInfo, packageVersions } from './machine.js';
import { MODES } from './modes.js';
import { sizeLabel } from './size-label.js';
import { Scope } from './scope.js';
import type { BenchEntry, BenchMode, BenchResult, Direction, Measurement, Prepared, ProgressEvent, Rejected } from './types.js';

export { MODES, type ModePlan } from './modes.js';

export interface BenchOptions {
  mode?: BenchMode;
  /**
   * Keep entries whose id or package contains one of these words (case-insensitive); peers of
   * kept rows and the copy limits stay. A filter that keeps no APALU row throws a UsageError
   * naming the rows there are.
   */
  filter?: string | readonly string[];
  /** Override the mode's sizes (multiples of 64). */
  sizes?: readonly number[];
  directions?: readonly Direction[];
  onProgress?: (event: ProgressEvent) => void;
  /** Stops after the current task; the result holds what was measured so far (`interrupted: true`). */
  signal?: AbortSignal;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] as string : String(error);
}

function filterWords(filter: BenchOptions['filter']): string[] {
  return (typeof filter === 'string' ? filter.split(',') : (filter ?? [])).map((w) => w.trim().toLowerCase()).filter(Boolean);
}

function selectEntries(all: BenchEntry[], words: string[]): BenchEntry[] {
  if (words.length === 0) return all;
  const hit = (e: BenchEntry) => words.some((w) => e.id.toLowerCase().includes(w) || e.source.toLowerCase().includes(w));
  const kept = new Set(all.filter(hit).map((e) => e.id));
  for (const e of all) if (kept.has(e.id)) for (const p of e.peers ?? []) kept.add(p);
  return all.filter((e) => kept.has(e.id) || e.role === 'limit');
}

function applicable(entries: BenchEntry[], direction: Direction, n: number): BenchEntry[] {
  return entries.filter((e) => e.directions.includes(direction) && (e.maxSize === undefined || n <= e.maxSize));
}

/**
 * Runs every available entry at every size of the mode, forward and backward: each entry is
 * prepared, its first result checked (APALU rows against @apalu/core's float64 reference in
 * their SPEC accuracy class, peers against their own definition) and only then timed, in
 * interleaved tinybench rounds. Entries whose package is missing or cannot start are listed
 * as unavailable with the reason.
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const mode = options.mode ?? 'quick';
  const plan = MODES[mode];
  if (!plan) throw new UsageError(`mode = ${String(mode)}: use 'full', 'quick' or 'smoke'.`);
  const sizes = [...(options.sizes ?? plan.sizes)];
  if (sizes.length === 0) throw new UsageError('sizes: give at least one size.');
  for (const n of sizes) {
    if (!(Number.isInteger(n) && n > 0 && n % CHANNELS === 0)) throw new UsageError(`size ${n}: sizes must be positive multiples of ${CHANNELS} (the channel count).`);
  }
  const directions = options.directions ?? (['forward', 'backward'] as const);
  if (directions.length === 0) throw new UsageError('directions: give forward, backward or both.');
  const words = filterWords(options.filter);
  const progress = options.onProgress ?? (() => {});
  const started = Date.now();

  const { entries: loaded, unavailable, close } = await loadFamilies(mode, (message) => progress({ kind: 'note', message }));
  const entries = selectEntries(loaded, words);
  if (words.length > 0 && !entries.some((e) => e.role === 'apalu')) {
    await close();
    const apalu = loaded.filter((e) => e.role === 'apalu');
    const missing = unavailable.filter((u) => words.some((w) => u.id.toLowerCase().includes(w) || u.source.toLowerCase().includes(w)));
    throw new UsageError(
      [
        `filter "${words.join(',')}" matches no APALU row${missing.length ? ` that can run here (unavailable: ${missing.map((u) => `${u.id}: ${u.reason}`).join('; ')})` : ''}.`,
        `Rows: ${apalu.map((e) => e.id).join(', ') || 'none loaded'}.`,
        `Packages: ${[...new Set([...apalu.map((e) => e.source), ...unavailable.map((u) => u.source)])].join(', ')}.`,
      ].join('\n'),
    );
  }
  const total = sizes.reduce((sum, n) => sum + directions.reduce((s, d) => s + applicable(entries, d, n).length * (plan.rounds + 1), 0), 0);
  let done = 0;
  progress({ kind: 'start', total });
  const step = (label: string, count = 1) => {
    done += count;
    progress({ kind: 'step', done, total, label });
  };

  const measurements: Measurement[] = [];
  const rejected: Rejected[] = [];
  try {
    // Two passes: entries marked `late` (they disturb their peers, see BenchEntry.late) are
    // timed after all the others, at every size.
    for (const late of [false, true]) {
      for (const n of sizes) {
        if (options.signal?.aborted) break;
        const input = makeInput(n);
        for (const direction of directions) {
          if (options.signal?.aborted) break;
          const group = applicable(entries, direction, n).filter((e) => (e.late ?? false) === late);
          if (group.length === 0) continue;
          progress({ kind: 'note', message: `${sizeLabel(n)} ${direction}: ${group.length} rows` });
          const scope = new Scope();
          const tasks: TimedTask[] = [];
          const prepared: Prepared[] = [];
          for (const entry of group) {
            await yieldToEventLoop();
            if (options.signal?.aborted) break;
            const label = `${entry.id} ${direction} n=${n}`;
            try {
              const p = await entry.prepare(input, direction, scope);
              prepared.push(p);
              await p.enter?.();
              const first = p.run();
              const output = first instanceof Promise ? await first : first;
              const problem = entry.accuracy ? checkApalu(output, input, direction, entry.accuracy) : (entry.check?.(output, input, direction) ?? null);
              if (problem) {
                rejected.push({ entry: entry.id, direction, n, reason: `result does not match the reference: ${problem}` });
                step(label, plan.rounds + 1);
                continue;
              }
              tasks.push({ name: entry.id, fn: () => p.run(), async: first instanceof Promise, ...(p.enter ? { enter: () => p.enter?.() } : {}) });
              step(`${label} (validated)`);
            } catch (error) {
              rejected.push({ entry: entry.id, direction, n, reason: `failed: ${describe(error)}` });
              step(label, plan.rounds + 1);
            }
          }
          try {
            // A task that throws while timed is dropped there; the others and the run go on.
            const { timings, failures } = await timeInterleaved(tasks, plan, options.signal, (name) => step(`${name} ${direction} n=${n}`));
            for (const t of timings) {
              measurements.push({ entry: t.name, direction, n, medianMs: t.medianMs, minMs: t.minMs, maxMs: t.maxMs, samples: t.samples, rounds: t.rounds, throughput: n / t.medianMs / 1000 });
            }
            for (const f of failures) {
              rejected.push({ entry: f.name, direction, n, reason: `failed while timed (round ${f.round + 1} of ${plan.rounds}): ${describe(f.error)}; dropped from the later rounds` });
              progress({ kind: 'note', message: `${f.name} ${direction} n=${n} failed while timed: ${describe(f.error)}` });
              step(`${f.name} ${direction} n=${n} (failed)`, f.roundsLeft);
            }
          } finally {
            for (const p of prepared) {
              try {
                await p.dispose?.();
              } catch (error) {
                progress({ kind: 'note', message: `releasing a ${direction} n=${n} entry failed: ${describe(error)}` });
              }
            }
            await scope.dispose();
          }
        }
      }
    }
  } finally {
    try {
      await close();
    } catch (error) {
      progress({ kind: 'note', message: `closing the backends failed: ${describe(error)}` });
    }
  }

  return {
    mode,
    date: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    interrupted: options.signal?.aborted ?? false,
    ...(words.length ? { filter: words } : {}),
    ...(directions.includes('forward') && directions.includes('backward') ? {} : { directions: [...directions] }),
    machine: machineInfo(),
    versions: await packageVersions(),
    sizes,
    channels: CHANNELS,
    entries: entries.map(({ id, role, source, group, accuracy, note, ownUnit, peers }) => ({
      id,
      role,
      source,
      group,
      ...(accuracy ? { accuracy } : {}),
      ...(note ? { note } : {}),
      ...(ownUnit ? { ownUnit } : {}),
      ...(peers ? { peers } : {}),
    })),
    measurements,
    rejected,
    unavailable,
  };
}
