/** Checks f and ∂f/∂x of a backend on every float32 input (or a sample), split over Node worker threads. */
import { type AccuracyClass, ApaluEnvironmentError, ApaluInputError } from '@apalu/core';
import { ACCURACY_CLASSES } from './classes.js';
import { type FromWorker, type MetricTally, type ToWorker, type WorkerSetup, mergeTally } from './exhaustive-shared.js';
import { resolveModule } from './resolve.js';

export interface ExhaustiveOptions {
  /** A module exporting createBackend: a package name, a path, or a URL (resolved from the working directory). */
  module: string;
  /** Name of the factory export (default `createBackend`). */
  exportName?: string;
  /** Passed to the factory; must survive structured cloning. */
  options?: unknown;
  /** Worker threads (default: every core). */
  threads?: number;
  /** 32 checks every float32; fewer checks 2^sampleBits inputs spread over all bit patterns. */
  sampleBits?: number;
  /** The parameters used, one shared pair (default a = 0.7, b = 1.3: not differentiable at 0). */
  a?: number;
  b?: number;
  /** Called after each chunk of 2^20 inputs. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the run early; the report then covers the inputs checked so far. */
  signal?: AbortSignal;
}

export interface ExhaustiveReport {
  backend: string;
  accuracy: AccuracyClass;
  /** Inputs checked (2^32 for a full run). */
  inputs: number;
  sampleBits: number;
  a: number;
  b: number;
  threads: number;
  limit: number;
  unit: 'ulp' | 'ratio';
  forward: MetricTally;
  derivative: MetricTally;
  pass: boolean;
  complete: boolean;
  durationMs: number;
}

/**
 * Checks f and ∂f/∂x of a backend on every float32 input (or a spread sample), split over
 * worker threads. Each worker builds its own backend from `module`.
 */
export async function runExhaustive(options: ExhaustiveOptions): Promise<ExhaustiveReport> {
  const sampleBits = options.sampleBits ?? 32;
  if (!(Number.isInteger(sampleBits) && sampleBits >= 20 && sampleBits <= 32)) {
    throw new ApaluInputError('E_OPTION', `sampleBits = ${String(sampleBits)}: use an integer from 20 (1M inputs) to 32 (all 2^32 float32 values).`);
  }
  // Node-only modules load here, so the kit's main entry also works in browsers.
  const [{ availableParallelism }, { Worker }] = await Promise.all([import('node:os'), import('node:worker_threads')]);
  const threads = options.threads ?? availableParallelism();
  if (!(Number.isInteger(threads) && threads >= 1)) throw new ApaluInputError('E_OPTION', `threads = ${String(threads)}: use a positive integer.`);
  const chunkBits = 20;
  const chunks = 2 ** (sampleBits - chunkBits);
  const setup: WorkerSetup = {
    moduleUrl: await resolveModule(options.module),
    exportName: options.exportName ?? 'createBackend',
    options: options.options,
    a: options.a ?? 0.7,
    b: options.b ?? 1.3,
    chunkBits,
    sampleBits,
  };
  const started = performance.now();
  const forward: MetricTally = { maxError: 0, failures: 0 };
  const derivative: MetricTally = { maxError: 0, failures: 0 };
  let next = 0;
  let done = 0;
  let backend = '';
  let accuracy: AccuracyClass = 'strict';
  const workerUrl = new URL('./exhaustive-worker.js', import.meta.url);

  await new Promise<void>((resolveRun, reject) => {
    const workers: InstanceType<typeof Worker>[] = [];
    let finished = false;
    const end = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToWorker);
      if (error) reject(error);
      else resolveRun();
    };
    const feed = (w: InstanceType<typeof Worker>) => {
      if (options.signal?.aborted || next >= chunks) {
        if (done === next) end();
        return;
      }
      w.postMessage({ type: 'chunk', chunk: next++ } satisfies ToWorker);
    };
    options.signal?.addEventListener('abort', () => {
      next = Math.min(next, chunks);
    });
    for (let t = 0; t < Math.min(threads, chunks); t++) {
      const w = new Worker(workerUrl, { workerData: setup });
      workers.push(w);
      w.on('error', (error) => end(error));
      w.on('message', (m: FromWorker) => {
        if (m.type === 'error') return end(new ApaluEnvironmentError('E_WORKER', `exhaustive worker failed: ${m.message}`));
        if (m.type === 'ready') {
          backend = m.name;
          accuracy = m.accuracy;
          return feed(w);
        }
        mergeTally(forward, m.result.forward);
        mergeTally(derivative, m.result.derivative);
        done++;
        options.onProgress?.(done, chunks);
        if (done === chunks || (options.signal?.aborted && done === next)) end();
        else feed(w);
      });
    }
  });

  const limits = ACCURACY_CLASSES[accuracy];
  return {
    backend,
    accuracy,
    inputs: done * 2 ** chunkBits,
    sampleBits,
    a: setup.a,
    b: setup.b,
    threads,
    limit: limits.elementwise,
    unit: limits.unit,
    forward,
    derivative,
    pass: forward.failures === 0 && derivative.failures === 0,
    complete: done === chunks,
    durationMs: performance.now() - started,
  };
}
