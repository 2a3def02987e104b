import * as tf from '@tensorflow/tfjs-core';
import { layers, sequential, type LayersModel } from '@tensorflow/tfjs-layers';
import { Bench } from 'tinybench';
import { Apalu, apalu, apaluComposed } from '../src/node.js';
import { withCpuKernelEngine } from '../src/kernels/cpu-engine.js';
import { kernelsIn } from '../src/kernels/wasm.js';
import { APALU_GRAD_KERNEL } from '../src/names.js';

/** One measured line: median milliseconds per call, and the ratio to the case's baseline when it has one. */
export interface TfjsBenchRow {
  backend: string;
  case: string;
  medianMs: number;
  baseline?: string;
  ratio?: number;
  /** The target for the ratio, when there is one. */
  target?: number;
}

export interface TfjsBenchOptions {
  /** tfjs backends to measure (they must be registered: import the backend packages first). */
  backends?: string[];
  /** Elements per tensor (default 1 << 20). */
  size?: number;
  /** Interleaved rounds; a time is the median over rounds of each round's median, a ratio the median of the per-round ratios. */
  rounds?: number;
  /** Milliseconds per task per round. */
  time?: number;
  /** Backends on which to time one MLP epoch on MNIST-shaped data, APALU against ReLU (default ['wasm']). */
  epochBackends?: string[];
  /** Samples in the epoch (default 4096, batch 128). */
  epochSamples?: number;
  /** Only the cases whose name contains this text (and their baselines); e.g. 'composed'. */
  filter?: string;
}

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Case {
  name: string;
  fn: () => void;
  baseline?: string;
  target?: number;
}

/** Per case, the median time of each round (all cases run in every round, order alternating). */
async function measure(cases: Case[], rounds: number, time: number, iterations = 3): Promise<Map<string, number[]>> {
  const perRound = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so neither side always runs first (GC, frequency, neighbours on a shared machine).
    const order = r % 2 === 0 ? cases : [...cases].reverse();
    const bench = new Bench({ time, iterations, warmupTime: Math.min(time, 50), warmupIterations: 1, throws: true });
    for (const c of order) bench.add(c.name, c.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { p50?: number } };
      perRound.get(task.name)?.push(result.latency?.p50 ?? Number.NaN);
    }
  }
  return perRound;
}

/**
 * A row per case: the median over rounds of its per-round medians, and its ratio to the
 * baseline as the median over rounds of (case ÷ baseline in the same round) — both measured
 * within seconds of each other, so a host that slows down for a while skews both alike.
 */
function rows(backend: string, cases: Case[], perRound: Map<string, number[]>): TfjsBenchRow[] {
  return cases.map((c) => {
    const times = perRound.get(c.name) as number[];
    const row: TfjsBenchRow = { backend, case: c.name, medianMs: median(times) };
    if (c.baseline !== undefined) {
      const base = perRound.get(c.baseline) as number[];
      row.baseline = c.baseline;
      row.ratio = median(times.map((t, r) => t / (base[r] as number)));
      if (c.target !== undefined) row.target = c.target;
    }
    return row;
  });
}

function mlp(activation: 'apalu' | 'relu'): LayersModel {
  const model = sequential();
  model.add(layers.dense({ units: 128, inputShape: [784] }));
  model.add(activation === 'apalu' ? new Apalu() : layers.reLU());
  model.add(layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Times APALU against tf.elu (forward, forward + backward) and an MLP epoch against its ReLU
 * twin on each backend, interleaved, and returns the rows (apps/bench imports this).
 */
export async function runTfjsBench(options: TfjsBenchOptions = {}): Promise<TfjsBenchRow[]> {
  const { backends = ['wasm', 'cpu'], size = 1 << 20, rounds = 5, time = 250, epochBackends = ['wasm'], epochSamples = 4096, filter } = options;
  // A case runs when its name matches the filter or a matching case compares with it.
  const pick = (cases: Case[]) => {
    if (filter === undefined) return cases;
    const chosen = cases.filter((c) => c.name.includes(filter));
    return cases.filter((c) => chosen.includes(c) || chosen.some((m) => m.baseline === c.name));
  };
  const out: TfjsBenchRow[] = [];
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    const channels = 64;
    const x = tf.randomNormal([size / channels, channels], 0, 2, 'float32', 1);
    const dy = tf.randomNormal([size / channels, channels], 0, 1, 'float32', 2);
    const a = tf.randomUniform([channels], 0.5, 1.5, 'float32', 3);
    const b = tf.randomUniform([channels], 0.5, 1.5, 'float32', 4);
    const eluGrad = tf.grad((t: tf.Tensor) => tf.elu(t));
    const apaluGrads = tf.grads((t: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => apalu(t, p, q));
    const composedGrads = tf.grads((t: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => apaluComposed(t, p, q));
    const run = (f: () => tf.Tensor | tf.Tensor[]) => () => tf.dispose(f());
    const cases: Case[] = [
      { name: 'elu forward', fn: run(() => tf.elu(x)) },
      { name: 'apalu forward', fn: run(() => apalu(x, a, b)), baseline: 'elu forward', target: backend === 'wasm' ? 1.5 : backend === 'cpu' ? 1.2 : undefined },
      { name: 'elu forward+backward', fn: run(() => eluGrad(x, dy)) },
      {
        name: 'apalu forward+backward',
        fn: run(() => apaluGrads([x, a, b], dy)),
        baseline: 'elu forward+backward',
        target: backend === 'wasm' ? 1.5 : undefined,
      },
    ];
    // The composed graphs run many of the backend's own kernels. Interleaved with the rows
    // above they changed what those are compared with: on cpu, tf.elu's forward took 26 ms
    // instead of 14 (tinybench, p50) while APALU's kernel stayed at 24.5 — the JIT state of
    // tfjs-backend-cpu's shared code, most likely; not traced further. They run afterwards,
    // with the elu baselines timed again beside them.
    const byName = (name: string) => cases.find((c) => c.name === name) as Case;
    const composedCases: Case[] = [
      byName('elu forward'),
      { name: 'apalu composed forward', fn: run(() => apaluComposed(x, a, b)), baseline: 'elu forward' },
      byName('elu forward+backward'),
      { name: 'apalu composed forward+backward', fn: run(() => composedGrads([x, a, b], dy)), baseline: 'elu forward+backward' },
    ];
    const scratch: tf.Tensor[] = [];
    // precision 'fast': @apalu/wasm's float32 loops (the composed class, like tf.elu), on both backends.
    const fastGrads = tf.grads((t: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => apalu(t, p, q, { precision: 'fast' }));
    cases.push(
      { name: "apalu forward, precision 'fast'", fn: run(() => apalu(x, a, b, { precision: 'fast' })), baseline: 'elu forward', target: backend === 'wasm' ? 1.5 : undefined },
      {
        name: "apalu forward+backward, precision 'fast'",
        fn: run(() => fastGrads([x, a, b], dy)),
        baseline: 'elu forward+backward',
        target: backend === 'wasm' ? 1.5 : undefined,
      },
    );
    if (backend === 'cpu') {
      // The cpu kernels' JavaScript engine (@apalu/core's loops; what they ran before 2026-11-29).
      const js = (f: () => tf.Tensor | tf.Tensor[]) => run(() => withCpuKernelEngine('js', f));
      cases.push(
        { name: "apalu forward, cpu engine 'js'", fn: js(() => apalu(x, a, b)), baseline: 'elu forward' },
        { name: "apalu forward+backward, cpu engine 'js'", fn: js(() => apaluGrads([x, a, b], dy)), baseline: 'elu forward+backward' },
      );
    }
    if (backend === 'wasm') {
      // Where the time goes: the @apalu/wasm kernels alone on the same tensors (no tfjs op,
      // no allocation), and a plain copy of 1M floats (the memory-bandwidth floor).
      const be = tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } }; dataIdMap: { get(id: object): { memoryOffset: number } } };
      const memory = be.wasm.asm.memory;
      const raw = kernelsIn(memory);
      const at = (t: tf.Tensor) => be.dataIdMap.get(t.dataId).memoryOffset;
      const [y, dx, da, db, acc] = [tf.zerosLike(x), tf.zerosLike(x), tf.zerosLike(a), tf.zerosLike(b), tf.zeros([4 * channels + 2])];
      scratch.push(y, dx, da, db, acc);
      const accPtr = (at(acc) + 7) & ~7;
      cases.push(
        { name: 'raw @apalu/wasm forward', fn: () => raw.forward(at(x), at(y), size, at(a), at(b), channels, 1), baseline: 'elu forward' },
        {
          name: 'raw @apalu/wasm forward+backward',
          fn: () => {
            raw.forward(at(x), at(y), size, at(a), at(b), channels, 1);
            raw.backward(at(x), at(dy), at(dx), at(da), at(db), size, at(a), at(b), channels, 1, accPtr);
          },
          baseline: 'elu forward+backward',
        },
        { name: 'copy 1M floats (Float32Array.set)', fn: () => new Float32Array(memory.buffer, at(y), size).set(new Float32Array(memory.buffer, at(x), size)) },
      );
      // The parts of forward+backward: each gradient kernel alone, and the copy tfjs makes of
      // every tensor a gradient keeps (Engine.clone runs tfjs-backend-wasm's Identity, a memcpy):
      // ELU keeps its output, APALU its input x.
      const eluOut = tf.elu(x);
      scratch.push(eluOut);
      const kernel = (name: string, inputs: tf.NamedTensorMap, attrs = {}) => run(() => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[]);
      cases.push(
        { name: 'EluGrad kernel alone', fn: kernel('EluGrad', { dy, y: eluOut }) },
        { name: 'ApaluGrad kernel alone', fn: kernel(APALU_GRAD_KERNEL, { dy, x, a, b }), baseline: 'EluGrad kernel alone' },
        { name: "ApaluGrad kernel alone, precision 'fast'", fn: kernel(APALU_GRAD_KERNEL, { dy, x, a, b }, { precision: 'fast' }), baseline: 'EluGrad kernel alone' },
        { name: 'tf.clone of 1M floats (one saved tensor)', fn: run(() => tf.clone(x)) },
      );
    }
    const main = pick(cases);
    const composed = pick(composedCases);
    if (main.some((c) => c.baseline !== undefined)) out.push(...rows(backend, main, await measure(main, rounds, time)));
    if (composed.length > 0) out.push(...rows(backend, composed, await measure(composed, rounds, time)).filter((r) => r.case.includes('composed')));
    tf.dispose([x, dy, a, b, ...scratch]);

    if (epochBackends.includes(backend) && (filter === undefined || 'mlp epoch'.includes(filter))) {
      const xs = tf.randomUniform([epochSamples, 784], 0, 1, 'float32', 5);
      const labels = tf.oneHot(tf.randomUniform([epochSamples], 0, 10, 'int32', 6), 10);
      const models = { apalu: mlp('apalu'), relu: mlp('relu') };
      const fit = (m: LayersModel) => async () => {
        await m.fit(xs, labels, { epochs: 1, batchSize: 128, shuffle: false, verbose: 0 });
      };
      const epochCases: Case[] = [
        { name: 'mlp epoch relu', fn: fit(models.relu) },
        { name: 'mlp epoch apalu', fn: fit(models.apalu), baseline: 'mlp epoch relu', target: backend === 'wasm' ? 1.25 : undefined },
      ];
      out.push(...rows(backend, epochCases, await measure(epochCases, Math.max(3, rounds - 2), 1, 1)));
      models.apalu.dispose();
      models.relu.dispose();
      tf.dispose([xs, labels]);
    }
  }
  return out;
}
