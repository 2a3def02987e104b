// Running the kernels over data already in the memory: on the calling thread, or cut into chunks
// shared with the worker pool (forwardAt/backwardAt and browsers' whole-array calls).
import { type BackwardPointers, type RawKernels, SCRATCH_BYTES_PER_CHANNEL } from './kernels.js';
import { align } from './memory.js';
import type { WorkerPool } from './pool.js';

/**
 * A threaded call is cut into this many chunks per thread, taken from a shared counter as
 * threads come free. Eight keep the last chunk's wait short (1/16 of a 2-thread call) for an
 * atomic add each. Measured (1M elements, 2 threads, alternated with fixed halves) while the
 * host slowed one core: forward 1.50 → 1.78 × one thread, backward 1.45 → 1.66 × and
 * 1.71 → 1.83 ×; equal (1.92–1.97 ×) when both cores ran freely.
 */
const CHUNKS_PER_THREAD = 8;
/** At most this many chunks per call (a backward keeps a 16·C-byte slice per chunk): many-core machines take fewer per thread. */
const MAX_CHUNKS = 128;

/** Chunks per thread of a threaded call: 8, or fewer where threads × 8 would pass MAX_CHUNKS (at least 1). */
export function chunksPerThread(threads: number): number {
  return Math.max(1, Math.min(CHUNKS_PER_THREAD, Math.floor(MAX_CHUNKS / threads)));
}

/** Decides which calls are shared with the workers, counts them, and runs the kernels. */
export class Dispatch {
  /** How many calls so far were split across threads. */
  parallelCalls = 0;
  /** float64 sum slices a backward call may use: one per chunk of a threaded call. */
  readonly scratchSlices: number;

  constructor(
    private readonly raw: RawKernels,
    private readonly memory: WebAssembly.Memory,
    private readonly pool: WorkerPool | undefined,
    private readonly code: 0 | 1,
    private readonly threads: number,
    private readonly parallelThreshold: number,
  ) {
    this.scratchSlices = threads > 1 ? threads * chunksPerThread(threads) : 1;
  }

  /** Whether a call of n elements is shared with the workers. */
  splits(n: number): boolean {
    return this.pool !== undefined && n >= this.parallelThreshold && n >= 32;
  }

  /** Threads that take part in a call of n elements (1 or all), counting the shared calls. */
  partsFor(n: number): number {
    const parts = this.splits(n) ? this.threads : 1;
    if (parts > 1) this.parallelCalls++;
    return parts;
  }

  /** Elements per chunk of a threaded call: chunksPerThread per thread, multiples of 16. */
  private chunkSize(n: number, parts: number): number {
    return align(Math.ceil(n / (parts * chunksPerThread(parts))), 16);
  }

  /** Runs forward over [0, n) on the calling thread and the workers (memory already filled). */
  async forward(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number, inner: number): Promise<void> {
    const { raw, pool, code } = this;
    const parts = this.partsFor(n);
    if (parts === 1 || pool === undefined) {
      raw.forward(xPtr, outPtr, n, aPtr, bPtr, channels, inner, code);
      return;
    }
    await pool.chunks('forwardChunks', [xPtr, outPtr, n, aPtr, bPtr, channels, inner, code], n, this.chunkSize(n, parts), (_, start, count) =>
      raw.forwardRange(xPtr, outPtr, start, count, aPtr, bPtr, channels, inner, code),
    );
  }

  /** Runs backward over [0, n); scratch holds one float64 slice (2·C values) per chunk. */
  async backward(...[xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr]: BackwardPointers): Promise<void> {
    const { raw, pool, code, memory } = this;
    const parts = this.partsFor(n);
    if (parts === 1 || pool === undefined) {
      raw.backward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, code);
      return;
    }
    const slice = SCRATCH_BYTES_PER_CHANNEL * channels;
    const chunk = this.chunkSize(n, parts);
    const count = Math.ceil(n / chunk);
    new Float64Array(memory.buffer, scratchPtr, 2 * channels * count).fill(0);
    await pool.chunks('backwardChunks', [xPtr, dyPtr, dxPtr, n, aPtr, bPtr, channels, inner, scratchPtr, code], n, chunk, (i, start, length) =>
      raw.backwardRange(xPtr, dyPtr, dxPtr, start, length, aPtr, bPtr, channels, inner, scratchPtr + slice * i, code),
    );
    // The chunks' sums are added in chunk order: which thread did which chunk changes no bit.
    const sums = new Float64Array(memory.buffer, scratchPtr, 2 * channels * count);
    const da = new Float32Array(memory.buffer, daPtr, channels);
    const db = new Float32Array(memory.buffer, dbPtr, channels);
    for (let c = 0; c < channels; c++) {
      let sa = 0;
      let sb = 0;
      for (let p = 0; p < count; p++) {
        sa += sums[2 * channels * p + c] as number;
        sb += sums[2 * channels * p + channels + c] as number;
      }
      da[c] = sa;
      db[c] = sb;
    }
  }
}
