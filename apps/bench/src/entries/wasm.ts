import type { ApaluBackend } from '@apalu/core';
import type { BenchEntry, Family, Unavailable } from '../types.js';

const PAGE = 65536;
const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * @apalu/wasm three ways through createBackend (Float32Array in, new Float32Array out, so
 * two copies per call are included), plus the SIMD kernels over a memory that already holds
 * the data (instantiateKernels, the pointer API a host such as tfjs-backend-wasm uses): the
 * figure to hold against `wasm memory.copy`.
 */
export async function loadWasm(): Promise<Family> {
  const wasm = await import('@apalu/wasm');
  const entries: BenchEntry[] = [];
  const unavailable: Unavailable[] = [];
  const backends: ApaluBackend[] = [];
  const variants = [
    { id: 'wasm-scalar', options: { simd: false } },
    { id: 'wasm-simd', options: { simd: true } },
    { id: 'wasm-simd-threads', options: { simd: true, threads: 'auto' } },
  ] as const;
  for (const variant of variants) {
    let backend: Awaited<ReturnType<typeof wasm.createBackend>>;
    try {
      backend = await wasm.createBackend(variant.options);
    } catch (error) {
      unavailable.push({ id: variant.id, source: '@apalu/wasm', reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    backends.push(backend);
    const threads = backend.threads > 1 ? `, ${backend.threads} threads` : backend.threadsNote ? `, 1 thread: ${backend.threadsNote}` : '';
    entries.push({
      id: variant.id,
      role: 'apalu',
      source: '@apalu/wasm',
      group: 'JavaScript and WebAssembly',
      accuracy: backend.accuracy,
      note: `Float32Array in/out${threads}`,
      directions: ['forward', 'backward'],
      peers: ['js-loop (Math.expm1)'],
      prepare: async (input, direction) => ({
        run: () => (direction === 'forward' ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
      }),
    });
  }

  entries.push({
    id: 'wasm-simd (in memory)',
    role: 'apalu',
    source: '@apalu/wasm',
    group: 'JavaScript and WebAssembly',
    accuracy: 'strict',
    note: 'pointer API, data already in wasm memory',
    directions: ['forward', 'backward'],
    peers: ['js-loop (Math.expm1)'],
    prepare: async (input, direction) => {
      const { n, channels } = input;
      // [a | b | da | db | float64 scratch | x | dy | out], 64-byte aligned
      const c4 = align64(4 * channels);
      const at = { a: 0, b: c4, da: 2 * c4, db: 3 * c4, scratch: 4 * c4, x: 4 * c4 + align64(wasm.SCRATCH_BYTES_PER_CHANNEL * channels) };
      const dyPtr = at.x + align64(4 * n);
      const outPtr = dyPtr + align64(4 * n);
      const memory = new WebAssembly.Memory({ initial: Math.ceil((outPtr + 4 * n) / PAGE) });
      const kernels = await wasm.instantiateKernels(memory, { simd: true });
      const view = (ptr: number, length: number) => new Float32Array(memory.buffer, ptr, length);
      view(at.a, channels).set(input.a);
      view(at.b, channels).set(input.b);
      view(at.x, n).set(input.x);
      view(dyPtr, n).set(input.dy);
      // The checked entry points validate a, b in memory on every call, as a host calling them would.
      if (direction === 'forward') {
        return {
          run: () => {
            kernels.forward(at.x, outPtr, n, at.a, at.b, channels, 1);
            return view(outPtr, n);
          },
        };
      }
      return {
        run: () => {
          kernels.backward(at.x, dyPtr, outPtr, at.da, at.db, n, at.a, at.b, channels, 1, at.scratch);
          return { dx: view(outPtr, n), da: view(at.da, channels), db: view(at.db, channels) };
        },
      };
    },
  });

  return {
    entries,
    unavailable,
    close: async () => {
      for (const backend of backends) await backend.dispose?.();
    },
  };
}
