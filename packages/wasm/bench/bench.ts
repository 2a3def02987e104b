/**
 * Side-by-side speed of the WebAssembly kernels, a plain JS loop, tfjs-wasm's tf.elu and
 * the memory-copy limit (Float32Array.set), at each size, in one process. Tasks run
 * interleaved (several rounds, order rotated) with tinybench; a row is the median of the
 * per-round medians. The thread-scaling rows alternate 1 and 2 threads call by call instead
 * (`paired`). `pnpm --filter @apalu/wasm bench` runs it.
 */
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { APALU_K } from '@apalu/core';
import { type ApaluKernels, type WasmBackend, createBackend, instantiateKernels, kernelModule } from '../src/index.js';

export interface WasmBenchRow {
  size: number;
  /** What ran, e.g. "kernel simd forward (1 thread)". */
  task: string;
  /** Median milliseconds per call (absent on the two-core ceiling rows, which are a ratio only). */
  ms?: number;
  /** Million elements per second. */
  mElementsPerSecond?: number;
  /** Throughput relative to Float32Array.set of the same data (copy = 1). */
  vsCopy?: number;
  /** Paired rows: the median over call pairs of (1-thread time ÷ 2-thread time); ceiling rows: 2·alone ÷ both at once. */
  speedup?: number;
}

export interface WasmBenchOptions {
  /** Interleaved rounds (default 3). */
  rounds?: number;
  /** Milliseconds per task per round (default 250). */
  time?: number;
}

interface Task {
  name: string;
  fn: () => unknown;
}

function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 16;
  }
  return out;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[sorted.length >> 1] as number;
};

/** Lays x, dy, a, b out in a backend's memory for its pointer entry points. */
function place(backend: WasmBackend, x: Float32Array, dy: Float32Array) {
  const n = x.length;
  const aPtr = 0;
  const bPtr = 16;
  const daPtr = 32;
  const dbPtr = 48;
  const scratchPtr = 64;
  // From 8 threads on the scratch passes byte 1024: x starts after it (overlaps are refused).
  const xPtr = Math.max(1024, Math.ceil((scratchPtr + backend.scratchBytes(1)) / 64) * 64);
  const dyPtr = xPtr + 4 * n;
  const outPtr = dyPtr + 4 * n;
  backend.reserve(outPtr + 4 * n);
  const heap = new Float32Array(backend.memory.buffer);
  heap[aPtr >> 2] = 0.7;
  heap[bPtr >> 2] = 1.3;
  heap.set(x, xPtr >> 2);
  heap.set(dy, dyPtr >> 2);
  return {
    forward: () => backend.forwardAt(xPtr, outPtr, n, aPtr, bPtr, 1),
    backward: () => backend.backwardAt(xPtr, dyPtr, outPtr, daPtr, dbPtr, n, aPtr, bPtr, 1, 1, scratchPtr),
  };
}

function placeKernels(k: ApaluKernels, x: Float32Array, dy: Float32Array) {
  const n = x.length;
  const xPtr = 1024;
  const dyPtr = xPtr + 4 * n;
  const outPtr = dyPtr + 4 * n;
  const need = outPtr + 4 * n;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(k.memory.buffer);
  heap[0] = 0.7;
  heap[4] = 1.3;
  heap.set(x, xPtr >> 2);
  heap.set(dy, dyPtr >> 2);
  return {
    forward: () => k.raw.forward(xPtr, outPtr, n, 0, 16, 1, 1),
    backward: () => k.raw.backward(xPtr, dyPtr, outPtr, 32, 48, n, 0, 16, 1, 1, 64),
    forwardFast: () => k.raw.forward(xPtr, outPtr, n, 0, 16, 1, 1, 1),
    backwardFast: () => k.raw.backward(xPtr, dyPtr, outPtr, 32, 48, n, 0, 16, 1, 1, 64, 1),
  };
}

/**
 * Two ways of making the same call, alternated call by call (the order swapped every pair) so
 * that both see the same host load; returns each one's median time and the median of the
 * per-pair ratios first ÷ second. On a shared VM whose speed drifts over seconds this compares
 * thread counts more fairly than medians taken in different stretches of a run.
 */
async function paired(first: () => unknown, second: () => unknown, timeMs: number): Promise<{ firstMs: number; secondMs: number; ratio: number }> {
  for (let i = 0; i < 3; i++) {
    await first();
    await second();
  }
  const t1: number[] = [];
  const t2: number[] = [];
  const ratios: number[] = [];
  const end = performance.now() + timeMs;
  while (t1.length < 15 || performance.now() < end) {
    const order = t1.length % 2 === 0 ? [first, second] : [second, first];
    let d1 = 0;
    let d2 = 0;
    for (const fn of order) {
      const start = performance.now();
      await fn();
      const d = performance.now() - start;
      if (fn === first) d1 = d;
      else d2 = d;
    }
    t1.push(d1);
    t2.push(d2);
    ratios.push(d1 / d2);
  }
  return { firstMs: median(t1), secondMs: median(t2), ratio: median(ratios) };
}

// A worker with its own memory and its own instance of the SIMD kernels: it runs `reps` calls
// of one kernel over its own data whenever told, and answers with their median time.
const CEILING_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, n }) => {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((1024 + 12 * n) / 65536) + 1 });
  const raw = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const h = new Float32Array(memory.buffer);
  h[0] = 0.7; h[4] = 1.3;
  for (let i = 0; i < n; i++) { h[256 + i] = ((i * 2654435761) % 4096) / 256 - 8; h[256 + n + i] = ((i * 40503) % 1024) / 512 - 1; }
  const call = {
    forward: () => raw.forward(1024, 1024 + 8 * n, n, 0, 16, 1, 1),
    backward: () => raw.backward(1024, 1024 + 4 * n, 1024 + 8 * n, 32, 48, n, 0, 16, 1, 1, 64),
  };
  parentPort.on('message', ({ kind, reps }) => {
    const t = [];
    for (let r = 0; r < reps; r++) { const s = performance.now(); call[kind](); t.push(performance.now() - s); }
    t.sort((p, q) => p - q);
    parentPort.postMessage(t[t.length >> 1]);
  });
  parentPort.postMessage('ready');
});`;

/**
 * What two cores of this machine give at that moment, with no pool, split or shared memory:
 * the same single-thread kernel on half the elements, alone and then on both cores at once (the
 * other copy in a worker with its own memory), alternated. Returns 2·alone ÷ both — the most any
 * 2-thread split of n elements could gain right then (a shared VM's second core is sometimes slower).
 */
async function twoCoreCeiling(kernels: ApaluKernels, x: Float32Array, dy: Float32Array, kind: 'forward' | 'backward', timeMs: number): Promise<number> {
  const half = x.length >> 1;
  const mine = placeKernels(kernels, x.subarray(0, half), dy.subarray(0, half))[kind];
  const worker = new Worker(CEILING_WORKER, { eval: true });
  try {
    const ask = (message: unknown) =>
      new Promise<unknown>((resolve, reject) => {
        const onError = (error: Error) => {
          worker.off('message', onMessage);
          reject(error);
        };
        const onMessage = (reply: unknown) => {
          worker.off('error', onError);
          resolve(reply);
        };
        worker.once('message', onMessage);
        worker.once('error', onError);
        worker.postMessage(message);
      });
    await ask({ module: await kernelModule('simd'), n: half });
    const reps = 5;
    const run = () => {
      const t: number[] = [];
      for (let r = 0; r < reps; r++) {
        const start = performance.now();
        mine();
        t.push(performance.now() - start);
      }
      return median(t);
    };
    run();
    await ask({ kind, reps });
    const ratios: number[] = [];
    const end = performance.now() + timeMs;
    while (ratios.length < 9 || performance.now() < end) {
      const alone = run();
      const other = ask({ kind, reps });
      const both = Math.max(run(), (await other) as number);
      ratios.push((2 * alone) / both);
    }
    return median(ratios);
  } finally {
    await worker.terminate();
  }
}

/** APALU the obvious way in JavaScript (float64 math, Math.expm1), into a preallocated array. */
function jsForward(x: Float32Array, out: Float32Array, a: number, b: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    out[i] = v >= 0 ? a * v * (1 + 1 / (1 + Math.exp(-APALU_K * v))) : b * Math.expm1(v);
  }
}

export async function benchWasm(sizes: readonly number[] = [1 << 20, 1 << 24], options: WasmBenchOptions = {}): Promise<WasmBenchRow[]> {
  const rounds = options.rounds ?? 3;
  const time = options.time ?? 250;
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();

  const one = await createBackend({ simd: true, threads: 1 });
  const two = await createBackend({ simd: true, threads: 2 });
  const simd = await instantiateKernels(new WebAssembly.Memory({ initial: 1 }), { simd: true });
  const scalar = await instantiateKernels(new WebAssembly.Memory({ initial: 1 }), { simd: false });
  const rows: WasmBenchRow[] = [];
  try {
    for (const n of sizes) {
      const x = uniform(n, 1);
      const dy = uniform(n, 2);
      const copy = new Float32Array(n);
      const jsOut = new Float32Array(n);
      const a = Float32Array.of(0.7);
      const b = Float32Array.of(1.3);
      const xt = tf.tensor1d(x);
      const k1 = placeKernels(simd, x, dy);
      const ks = placeKernels(scalar, x, dy);
      const p1 = place(one, x, dy);
      const p2 = place(two, x, dy);
      const tasks: Task[] = [
        { name: 'Float32Array.set (copy limit)', fn: () => copy.set(x) },
        { name: 'kernel simd forward, 1 thread', fn: k1.forward },
        { name: 'kernel scalar forward, 1 thread', fn: ks.forward },
        { name: 'kernel simd backward, 1 thread', fn: k1.backward },
        { name: "kernel simd forward, precision 'fast', 1 thread", fn: k1.forwardFast },
        { name: "kernel simd backward, precision 'fast', 1 thread", fn: k1.backwardFast },
        { name: 'backend memory simd forward, 1 thread (forwardAt)', fn: p1.forward },
        { name: 'backend memory simd forward, 2 threads (forwardAt)', fn: p2.forward },
        { name: 'backend memory simd backward, 1 thread (backwardAt)', fn: p1.backward },
        { name: 'backend memory simd backward, 2 threads (backwardAt)', fn: p2.backward },
        { name: 'backend.forward (copy in + out), 1 thread', fn: () => one.forward(x, a, b) },
        { name: 'backend.forward (copy in + out), 2 threads', fn: () => two.forward(x, a, b) },
        { name: 'backend.backward (copy in + out), 1 thread', fn: () => one.backward(x, dy, a, b) },
        { name: 'JS loop, Math.exp/Math.expm1 (forward)', fn: () => jsForward(x, jsOut, 0.7, 1.3) },
        { name: 'tfjs-wasm tf.elu (forward, not APALU)', fn: () => tf.elu(xt).dispose() },
      ];
      const perRound = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
      for (let round = 0; round < rounds; round++) {
        const bench = new Bench({ time, iterations: 3, warmupTime: 20, warmupIterations: 1 });
        const order = tasks.map((_, i) => tasks[(i + round * 5) % tasks.length] as Task);
        for (const task of order) bench.add(task.name, task.fn);
        await bench.run();
        for (const task of bench.tasks) {
          const result = task.result as { latency?: { p50?: number } } | undefined;
          const p50 = result?.latency?.p50;
          if (p50 === undefined) throw new Error(`benchmark task "${task.name}" produced no result`);
          perRound.get(task.name)?.push(p50);
        }
      }
      xt.dispose();
      const copyMs = median(perRound.get(tasks[0]?.name as string) as number[]);
      for (const task of tasks) {
        const ms = median(perRound.get(task.name) as number[]);
        rows.push({ size: n, task: task.name, ms, mElementsPerSecond: n / ms / 1e3, vsCopy: copyMs / ms });
      }
      // Thread scaling: 1 and 2 threads alternated call by call (the rows above time them in
      // different stretches of the run, which a drifting host skews).
      for (const [kind, single, multi] of [
        ['forward', p1.forward, p2.forward],
        ['backward', p1.backward, p2.backward],
      ] as const) {
        const r = await paired(single, multi, rounds * time);
        rows.push({
          size: n,
          task: `backend memory simd ${kind}, 2 threads, paired with 1 thread (${kind === 'forward' ? 'forwardAt' : 'backwardAt'})`,
          ms: r.secondMs,
          mElementsPerSecond: n / r.secondMs / 1e3,
          vsCopy: copyMs / r.secondMs,
          speedup: r.ratio,
        });
        const ceiling = await twoCoreCeiling(simd, x, dy, kind, rounds * time);
        rows.push({ size: n, task: `two-core ceiling now: kernel simd ${kind} on n/2 alone vs on both cores at once (no pool)`, speedup: ceiling });
      }
    }
  } finally {
    await one.dispose();
    await two.dispose();
  }
  return rows;
}

/** The rows as a markdown table. */
export function formatWasmBench(rows: readonly WasmBenchRow[]): string {
  const lines = ['| elements | task | ms/call | M elements/s | × copy rate | × 1 thread (paired) |', '|---:|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    const size = r.size >= 1 << 20 ? `${r.size / (1 << 20)}M` : String(r.size);
    const speedup = r.speedup === undefined ? '' : `${r.speedup.toFixed(2)}`;
    lines.push(`| ${size} | ${r.task} | ${r.ms?.toFixed(3) ?? ''} | ${r.mElementsPerSecond?.toFixed(0) ?? ''} | ${r.vsCopy?.toFixed(3) ?? ''} | ${speedup} |`);
  }
  return lines.join('\n');
}
