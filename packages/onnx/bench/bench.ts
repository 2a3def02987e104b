/**
 * Speed of the APALU function in onnxruntime-web against single-op models of the same size
 * (Elu: the baseline; Relu: the cheapest activation). Tasks are interleaved: every round
 * runs each model for a short time in alternating order, and a row reports the median over
 * rounds of each round's median, so drift on a shared machine hits all rows alike.
 */
import { Bench } from 'tinybench';
import { apaluModel, createSession, encodeModelForBench, formulations, type Formulation, type OrtRuntime } from './models.js';

export interface OnnxBenchRow {
  /** What ran, e.g. "Elu" or "APALU function (shared-exp)". */
  case: string;
  formulation?: Formulation;
  elements: number;
  /** Median milliseconds per session.run (input copy in and output copy out included, as for every row). */
  medianMs: number;
  /** medianMs / the Elu row's medianMs. */
  ratioToElu: number;
  /** The target for APALU rows: ≤ 2.0× Elu. */
  target?: number;
}

export interface OnnxBenchOptions {
  /** Elements per input (default 1 << 20), as [elements / channels, channels]. */
  elements?: number;
  /** Channels C of a and b (default 64, channels-last). */
  channels?: number;
  /** Interleaved rounds (default 7). */
  rounds?: number;
  /** Milliseconds per model per round (default 300). */
  time?: number;
  /** Formulations to time (default all). */
  formulations?: readonly Formulation[];
  /** onnxruntime-web wasm threads (default 1: the comparison is per core). */
  numThreads?: number;
  runtime?: OrtRuntime;
}

const median = (values: number[]): number => {
  const s = [...values].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function benchOnnx(options: OnnxBenchOptions = {}): Promise<OnnxBenchRow[]> {
  const elements = options.elements ?? 1 << 20;
  const channels = options.channels ?? 64;
  const rounds = options.rounds ?? 7;
  const time = options.time ?? 300;
  const shape = [elements / channels, channels];
  const ort = options.runtime ?? ((await import('onnxruntime-web')) as unknown as OrtRuntime);
  const a = Float32Array.from({ length: channels }, (_, c) => 0.5 + c / channels);
  const b = Float32Array.from({ length: channels }, (_, c) => 1.5 - c / channels);
  // Half negative, half positive, spread over the range where both branches do real work.
  const x = Float32Array.from({ length: elements }, (_, i) => Math.sin(i * 0.618) * 6);

  const models: { case: string; formulation?: Formulation; bytes: Uint8Array }[] = [
    { case: 'Elu', bytes: encodeModelForBench('Elu', shape) },
    { case: 'Relu', bytes: encodeModelForBench('Relu', shape) },
    ...(options.formulations ?? formulations).map((formulation) => ({
      case: `APALU function (${formulation})`,
      formulation,
      bytes: apaluModel({ a, b, shape, formulation }),
    })),
  ];
  const tasks = await Promise.all(
    models.map(async (m) => {
      const session = await createSession(m.bytes, { runtime: ort, executionProviders: ['wasm'], numThreads: options.numThreads ?? 1 });
      const feeds = { x: new ort.Tensor('float32', x, shape) };
      return { ...m, session, run: () => session.run(feeds) };
    }),
  );

  const perRound = new Map<string, number[]>(tasks.map((t) => [t.case, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time, iterations: 5, warmupTime: 50, warmupIterations: 2, throws: true });
    for (const t of r % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(t.case, t.run);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { p50?: number } };
      perRound.get(task.name)!.push(result.latency?.p50 ?? Number.NaN);
    }
  }
  await Promise.all(tasks.map((t) => t.session.release()));

  const elu = median(perRound.get('Elu')!);
  return tasks.map((t) => {
    const ms = median(perRound.get(t.case)!);
    return {
      case: t.case,
      ...(t.formulation ? { formulation: t.formulation, target: 2 } : {}),
      elements,
      medianMs: ms,
      ratioToElu: ms / elu,
    };
  });
}
