/** The worker thread of runExhaustive: builds its own backend and tallies f and ∂f/∂x errors over its chunks of float32 inputs. */
import { parentPort, workerData } from 'node:worker_threads';
import { type ApaluBackend, apalu, apaluDerivative } from '@apalu/core';
import { ACCURACY_CLASSES } from './classes.js';
import { type ChunkResult, type FromWorker, type MetricTally, type ToWorker, type WorkerSetup, sampleBitsAt } from './exhaustive-shared.js';

const setup = workerData as WorkerSetup;
if (parentPort === null) throw new Error('exhaustive-worker must run as a worker thread');
const port = parentPort;
const send = (m: FromWorker) => port.postMessage(m);

function tally(xs: Float32Array, got: Float32Array, want: (x: number) => number, measure: (g: number, w: number) => number, limit: number): MetricTally {
  const t: MetricTally = { maxError: 0, failures: 0 };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const w = Math.fround(want(x));
    const e = measure(got[i] as number, w);
    if (e > limit) t.failures++;
    if (e > t.maxError) {
      t.maxError = e;
      t.worst = { x, got: got[i] as number, want: w };
    }
  }
  return t;
}

async function main(): Promise<void> {
  const mod = (await import(setup.moduleUrl)) as Record<string, unknown>;
  const create = mod[setup.exportName];
  if (typeof create !== 'function') throw new Error(`${setup.moduleUrl} has no export ${setup.exportName}() that creates an ApaluBackend`);
  const backend = (await create(setup.options)) as ApaluBackend;
  const limits = ACCURACY_CLASSES[backend.accuracy];
  const size = 2 ** setup.chunkBits;
  const bits = new Uint32Array(size);
  const xs = new Float32Array(bits.buffer);
  const ones = new Float32Array(size).fill(1);
  const a = Float32Array.of(setup.a);
  const b = Float32Array.of(setup.b);
  const aa = a[0] as number;
  const bb = b[0] as number;
  send({ type: 'ready', name: backend.name, accuracy: backend.accuracy });
  port.on('message', async (m: ToWorker) => {
    if (m.type === 'stop') {
      await backend.dispose?.();
      port.close();
      return;
    }
    try {
      const base = m.chunk * size;
      for (let j = 0; j < size; j++) bits[j] = sampleBitsAt(base + j, setup.sampleBits);
      const f = await backend.forward(xs, a, b);
      const g = await backend.backward(xs, ones, a, b);
      const result: ChunkResult = {
        chunk: m.chunk,
        forward: tally(xs, f, (x) => apalu(x, aa, bb), limits.measure, limits.elementwise),
        derivative: tally(xs, g.dx, (x) => apaluDerivative(x, aa, bb), limits.measure, limits.elementwise),
      };
      send({ type: 'chunk', result });
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
}

main().catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
