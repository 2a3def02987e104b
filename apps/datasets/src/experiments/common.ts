import type { ActivationName } from '../activations.js';
import type { Table } from '../data/dataset.js';
import type { Context } from '../harness.js';
import { mean, std, welch, formatP } from '../stats.js';
import { type EpochLog, evaluate, features, type Metrics, targets, type Task, train, type TrainOptions } from '../train.js';
import { tf } from '../tf.js';

export interface Tensors {
  x: tf.Tensor;
  y: tf.Tensor;
  xVal: tf.Tensor;
  yVal: tf.Tensor;
  xTest: tf.Tensor;
  yTest: tf.Tensor;
}

export function tensors(parts: { train: Table; validation: Table; test: Table }, rowShape: number[]): Tensors {
  return {
    x: features(parts.train, rowShape),
    y: targets(parts.train),
    xVal: features(parts.validation, rowShape),
    yVal: targets(parts.validation),
    xTest: features(parts.test, rowShape),
    yTest: targets(parts.test),
  };
}

export function disposeTensors(t: Tensors): void {
  tf.dispose(Object.values(t));
}

export interface FitRun {
  logs: EpochLog[];
  test: Metrics;
  train: Metrics;
  initial: unknown;
}

/** Builds, trains and tests one model; ticks the progress bar once per epoch; frees the model. */
export async function fitAndTest(
  ctx: Context,
  label: string,
  build: () => tf.LayersModel,
  data: Tensors,
  o: Omit<TrainOptions, 'stop' | 'onEpoch'> & { task: Task },
  after?: (model: tf.LayersModel) => void,
): Promise<FitRun> {
  const model = build();
  try {
    const { logs, initial } = await train(model, data, { ...o, stop: ctx.stop, onEpoch: () => ctx.progress.tick(label) });
    after?.(model);
    return { logs, initial, test: evaluate(model, data.xTest, data.yTest, o.task), train: evaluate(model, data.x, data.y, o.task) };
  } finally {
    model.dispose();
  }
}

/** Mean per-epoch training time (CPU seconds) over a run's epochs. */
export const epochCpu = (logs: EpochLog[]) => mean(logs.map((l) => l.cpuSeconds));

/** Markdown table from a header row and rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmt = (xs: number[], digits = 3) => (xs.length === 0 ? 'n/a' : xs.length === 1 ? xs[0]!.toFixed(digits) : `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`);

/**
 * "APALU vs X" verdict of a Welch test on per-seed values: win / loss at p < 0.05, else tie.
 * `higherIsBetter` is false for losses and errors.
 */
export function verdict(apalu: number[], other: number[], higherIsBetter: boolean): { text: string; p: number } {
  const c = welch(apalu, other);
  if (Number.isNaN(c.p)) return { text: c.difference === 0 ? 'tie' : 'n/a (1 seed)', p: c.p };
  const better = higherIsBetter ? c.difference > 0 : c.difference < 0;
  return { text: c.p < 0.05 ? (better ? 'APALU wins' : 'APALU loses') : 'tie', p: c.p };
}

export const pText = formatP;

export type { ActivationName };
