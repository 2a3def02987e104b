import type { Experiment } from './experiment.js';
import { depthExperiment } from './experiments/depth.js';
import { limitedExperiment } from './experiments/limited.js';
import { mnistExperiment } from './experiments/mnist.js';
import { paramsExperiment } from './experiments/params.js';
import { regressionExperiment } from './experiments/regression.js';
import { sensitivityExperiment } from './experiments/sensitivity.js';
import { svddExperiment } from './experiments/svdd.js';
import { cpuSeconds, type ExperimentResult, type Level, progressBar, type StopSignal, Stopped, writeResult } from './harness.js';
import { writeReport } from './report/render.js';
import { initTf } from './tf.js';

export const EXPERIMENTS: readonly Experiment[] = [
  mnistExperiment,
  regressionExperiment,
  depthExperiment,
  sensitivityExperiment,
  limitedExperiment,
  paramsExperiment,
  svddExperiment,
];

export interface RunOptions {
  ids: string[];
  level: Level;
  out: string;
  /** Overrides the level's seed count. */
  seeds?: number;
  progress?: boolean;
  stop?: StopSignal;
  log?: (line: string) => void;
}

/** Runs the experiments in order, writes each result as it finishes, then the report. */
export async function runExperiments(o: RunOptions): Promise<{ results: ExperimentResult[]; report: string; stopped: boolean }> {
  await initTf('wasm');
  const stop = o.stop ?? { requested: false };
  const log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  const results: ExperimentResult[] = [];
  for (const id of o.ids) {
    const e = EXPERIMENTS.find((x) => x.id === id);
    if (e === undefined) throw new Error(`unknown experiment '${id}'; choose from ${EXPERIMENTS.map((x) => x.id).join(', ')} or 'all'.`);
    const seeds = Array.from({ length: o.seeds ?? e.seeds[o.level] }, (_, i) => i + 1);
    const progress = progressBar(o.progress ?? true, e.id);
    const data = { runs: [] as unknown[] };
    const cpu = process.cpuUsage();
    const wall = performance.now();
    let stopped = false;
    try {
      await e.run({ level: o.level, seeds, stop, progress }, e.configs[o.level], data);
    } catch (error) {
      if (!(error instanceof Stopped)) throw error;
      stopped = true;
    } finally {
      progress.stop();
    }
    const result: ExperimentResult = {
      id: e.id,
      title: e.title,
      level: o.level,
      seeds,
      config: e.configs[o.level],
      stopped,
      cpuSeconds: cpuSeconds(cpu),
      wallSeconds: (performance.now() - wall) / 1000,
      finishedAt: new Date().toISOString(),
      data,
    };
    results.push(result);
    log(`${e.id}: ${data.runs.length} runs, ${result.cpuSeconds.toFixed(1)} s CPU, ${result.wallSeconds.toFixed(1)} s wall → ${writeResult(o.out, result)}${stopped ? ' (stopped)' : ''}`);
    if (stopped) break;
  }
  const report = await writeReport(o.out, EXPERIMENTS);
  log(`report → ${report}`);
  return { results, report, stopped: results.some((r) => r.stopped) };
}
