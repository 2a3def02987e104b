import type { ApaluBackend } from '@apalu/core';
import type { BenchEntry, Family, Unavailable } from '../types.js';

const align64 = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * @apalu/wasm three ways through createBackend (Float32Array in, new Float32Array out, so
 * two copies per call are included), the SIMD build writing into the caller's arrays (`out`), plus the SIMD kernels on data already in the backend's
 * memory (forwardAt/backwardAt, one thread and all threads): the figures to hold against
 * `wasm memory.copy`.
 */
export async function loadWasm(): Promise<Family> {
  const wasm = await import('@apalu/wasm');
  const entries: BenchEntry[] = [];
  const unavailable: Unavailable[] = [];
  const backends: ApaluBackend[] = [];
  type WasmBackend = Awaited<ReturnType<typeof wasm.createBackend>>;
  /** Creates one backend, or records why it is unavailable. */
  const open = async (id: string, options: Parameters<typeof wasm.createBackend>[0], needsAt = false): Promise<WasmBackend | undefined> => {
    try {
      const backend = await wasm.createBackend(options);
      backends.push(backend);
      if (needsAt && typeof backend.forwardAt !== 'function') throw new Error('this @apalu/wasm build has no forwardAt/backwardAt');
      return backend;
    } catch (error) {
      unavailable.push({ id, source: '@apalu/wasm', reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const entry = (id: string, backend: WasmBackend, note: string, prepare: BenchEntry['prepare']): BenchEntry => ({
    id,
    role: 'apalu',
    source: '@apalu/wasm',
    group: 'JavaScript and WebAssembly',
    accuracy: backend.accuracy,
    note,
    directions: ['forward', 'backward'],
    peers: ['js-loop (Math.expm1)'],
    prepare,
  });

  const variants = [
    { id: 'wasm-scalar', options: { simd: false } },
    { id: 'wasm-simd', options: { simd: true } },
    { id: 'wasm-simd-threads', options: { simd: true, threads: 'auto' } },
  ] as const;
  for (const variant of variants) {
    const backend = await open(variant.id, variant.options);
    if (backend === undefined) continue;
    const threads = backend.threads > 1 ? `, ${backend.threads} threads` : backend.threadsNote ? `, 1 thread: ${backend.threadsNote}` : '';
    entries.push(
      entry(variant.id, backend, `Float32Array in/out${threads}`, async (input, direction) => ({
        run: () => (direction === 'forward' ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
      })),
    );
  }

  // `out` rows: the caller's own output arrays, written block by block (streamed through the
  // backend's memory: no fresh 64 MB result to allocate and fault in at 16M).
  for (const variant of [
    { id: 'wasm-simd (out)', options: { simd: true } },
    { id: 'wasm-simd-threads (out)', options: { simd: true, threads: 'auto' } },
  ] as const) {
    const backend = await open(variant.id, variant.options);
    if (backend === undefined) continue;
    const threads = backend.threads > 1 ? `, ${backend.threads} threads` : '';
    entries.push(
      entry(variant.id, backend, `Float32Array in, caller's arrays out (out, out: { dx, da, db })${threads}`, async (input, direction) => {
        const out = { y: new Float32Array(input.n), dx: new Float32Array(input.n), da: new Float32Array(input.channels), db: new Float32Array(input.channels) };
        return {
          run: () =>
            direction === 'forward'
              ? backend.forward(input.x, input.a, input.b, { out: out.y })
              : backend.backward(input.x, input.dy, input.a, input.b, { out: { dx: out.dx, da: out.da, db: out.db } }),
        };
      }),
    );
  }

  // In-memory rows get backends of their own: the Float32Array path reuses the start of its
  // backend's memory on every call and would overwrite data kept there.
  for (const variant of [
    { id: 'wasm-simd (in memory)', options: { simd: true } },
    { id: 'wasm-simd-threads (in memory)', options: { simd: true, threads: 'auto' } },
    { id: "wasm-simd-fast (in memory)", options: { simd: true, precision: 'fast' } },
  ] as const) {
    const backend = await open(variant.id, variant.options, true);
    if (backend === undefined) continue;
    const note = `forwardAt/backwardAt on data already in the backend's memory${backend.threads > 1 ? `, ${backend.threads} threads` : ''}`;
    entries.push(
      entry(variant.id, backend, note, async (input, direction) => {
        const { n, channels } = input;
        // [a | b | da | db | float64 scratch (backend.scratchBytes) | x | dy | out], 64-byte aligned
        const c4 = align64(4 * channels);
        const at = { a: 0, b: c4, da: 2 * c4, db: 3 * c4, scratch: 4 * c4 };
        const xPtr = at.scratch + align64(backend.scratchBytes(channels));
        const dyPtr = xPtr + align64(4 * n);
        const outPtr = dyPtr + align64(4 * n);
        backend.reserve(outPtr + 4 * n);
        // Views are made after reserve(): growing the memory replaces its buffer.
        const view = (ptr: number, length: number) => new Float32Array(backend.memory.buffer, ptr, length);
        view(at.a, channels).set(input.a);
        view(at.b, channels).set(input.b);
        view(xPtr, n).set(input.x);
        view(dyPtr, n).set(input.dy);
        if (direction === 'forward') {
          return {
            run: async () => {
              await backend.forwardAt(xPtr, outPtr, n, at.a, at.b, channels, 1);
              return view(outPtr, n);
            },
          };
        }
        return {
          run: async () => {
            await backend.backwardAt(xPtr, dyPtr, outPtr, at.da, at.db, n, at.a, at.b, channels, 1, at.scratch);
            return { dx: view(outPtr, n), da: view(at.da, channels), db: view(at.db, channels) };
          },
        };
      }),
    );
  }

  return {
    entries,
    unavailable,
    close: async () => {
      for (const backend of backends) await backend.dispose?.();
    },
  };
}
