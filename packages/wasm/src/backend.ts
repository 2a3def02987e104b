// createBackendOn: the WebAssembly backend assembled from its parts (options.ts, memory.ts,
// dispatch.ts, stream.ts, layout.ts) — the array calls' checking and queueing, and the public object.
import { type ApaluBackend, type ApaluGradients, type ApaluLayout, ApaluInputError, type ParamArray, float32Params, validateBackwardCall, validateForwardCall } from '@apalu/core';
import { type KernelKind, kernelModule } from './bytes.js';
import { Dispatch } from './dispatch.js';
import { type BackwardPointers, type Precision, type RawKernels, SCRATCH_BYTES_PER_CHANNEL, backwardRegions, checkPointerCall, forwardRegions } from './kernels.js';
import { type SizeLimit, checkSize, largestLength, layoutFor } from './layout.js';
import { BackendMemory } from './memory.js';
import { type WasmBackendOptions, resolveOptions } from './options.js';
import { type WasmBackwardOptions, type WasmForwardOptions, checkBackwardOut, checkForwardOut, checkOwnMemory } from './outputs.js';
import type { Platform } from './platform/types.js';
import { WorkerPool } from './pool.js';
import { MAX_STREAM_LENGTH, type StreamJob, blockThatFits, slotsFor, streamBackward, streamForward, streamLayout, streamTooLarge } from './stream.js';

export { chunksPerThread } from './dispatch.js';
export { type SizeLimit, checkSize, largestLength } from './layout.js';
export type { WasmBackendOptions } from './options.js';

/** An ApaluBackend running the WebAssembly kernels, with what it chose at creation. */
export interface WasmBackend extends ApaluBackend {
  readonly name: string;
  /** 'strict', or 'composed' with precision 'fast'. */
  readonly accuracy: 'strict' | 'composed';
  readonly precision: Precision;
  /** The build in use. */
  readonly kind: KernelKind;
  /** Threads actually used for large calls (1 when shared memory is unavailable). */
  readonly threads: number;
  /** Why fewer threads than asked for are used, if so. */
  readonly threadsNote?: string;
  /** How many calls so far were split across threads (small ones stay on the calling thread). */
  readonly parallelCalls: number;
  /**
   * The backend's own memory, for callers that keep tensors in it (see `reserve`,
   * `forwardAt`, `backwardAt`). Its buffer changes when it grows: re-create views after.
   */
  readonly memory: WebAssembly.Memory;
  /**
   * f(x) as a new Float32Array, or written into `options.out` (x.length floats; `x` itself for
   * in place) and returned. Checked before anything is written, `out` included (type, length,
   * detached, overlaps: only out = x exactly).
   */
  forward(x: Float32Array, a: Float32Array, b: Float32Array, options?: WasmForwardOptions): Promise<Float32Array>;
  /**
   * dx, da, db as new arrays, or written into `options.out.dx` (may be dy or x itself), `.da`,
   * `.db` (C floats each) where given, and returned. Checked before anything is written.
   */
  backward(x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, options?: WasmBackwardOptions): Promise<ApaluGradients>;
  /**
   * Grows the memory to at least `bytes` (clear error if the limit or the engine refuses) and
   * claims [0, bytes) for the caller's own tensors: `forward`/`backward` copy their arrays above it.
   */
  reserve(bytes: number): void;
  /**
   * forward on data already in `memory` (byte addresses, like the pointer API), split
   * across the backend's threads when n ≥ parallelThreshold. out may equal x; no other overlap with a written region (E_POINTER).
   */
  forwardAt(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number, inner?: number): Promise<void>;
  /**
   * backward on data already in `memory`; dx may equal dy or x (no other overlap with a written region). scratchPtr: `scratchBytes(channels)`
   * bytes, 8-byte aligned (float64 sums: one slice per chunk of a threaded call).
   */
  backwardAt(...args: BackwardPointers<number | undefined>): Promise<void>;
  /**
   * The scratch `backwardAt` needs: 16·channels bytes on one thread; with workers one 16·channels
   * slice per chunk — 8 per thread, at most 128 in all (16·channels·8·threads up to 16 threads).
   */
  scratchBytes(channels: number): number;
  /**
   * The largest x.length `forward` and `backward` take with `channels` channels (default 1):
   * streamed (Node, one thread): 2^31 − 1, or 0 when `reserve` left no room for the block
   * buffers; browsers' threaded route: what fits the memory limit (`maximumMemoryBytes`, at most
   * 4 GiB) above what `reserve` has claimed. A longer call is refused with E_TOO_LARGE.
   */
  maxLengths(channels?: number): { forward: number; backward: number };
  dispose(): Promise<void>;
}

/**
 * Creates the WebAssembly backend on `platform` (how workers start; the package's entries bind
 * it: `createBackend` in src/index.ts and src/index.browser.ts). Every call streams x (and dy)
 * through the backend's own memory in blocks (src/stream.ts; browsers' threaded backends copy
 * whole arrays) and writes new arrays or the caller's `out`.
 */
export async function createBackendOn(platform: Platform, options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const { kind, code, precision, threads, threadsNote, maximumPages, blockElements, parallelThreshold: threshold } = resolveOptions(platform, options);
  const shared = threads > 1;
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: maximumPages, shared: true } : { initial: 1, maximum: maximumPages });
  const mem = new BackendMemory(memory, maximumPages);
  const module = await kernelModule(kind, { shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const raw = instance.exports as unknown as RawKernels;
  const pool = shared ? await WorkerPool.create(platform, threads - 1, module, memory) : undefined;
  // Node's workers take jobs through Atomics (2 threads ≈ 1.8 × one from 64K elements on the
  // bench machine); browsers' through messages, which pay off from ~128K.
  const parallelThreshold = threshold ?? (pool?.direct === false ? 1 << 17 : 1 << 16);
  const dispatch = new Dispatch(raw, memory, pool, code, threads, parallelThreshold);
  const { scratchSlices } = dispatch;
  let disposed = false;
  let queue: Promise<unknown> = Promise.resolve();
  /** Calls accepted and not yet finished (a new call that must wait snapshots its inputs). */
  let inFlight = 0;

  const name = `wasm-${kind}${threads > 1 ? '-threads' : ''}${code === 1 ? '-fast' : ''}`;
  const alive = () => {
    if (disposed) throw new ApaluInputError('E_DISPOSED', `the ${name} backend was disposed; create a new one with createBackend().`);
  };
  const sizeLimit = (): SizeLimit => ({ limitBytes: mem.limitBytes, claimed: mem.claimed, slices: scratchSlices });

  /**
   * Node and one-thread backends stream the array calls through the memory in blocks
   * (src/stream.ts); browsers' threaded backends, whose workers take jobs by message (the page's
   * thread cannot wait for them block by block), copy whole arrays as before.
   */
  const streams = pool === undefined || pool.direct;
  /** The block length of a streamed call on `parts` threads (smaller than blockElements only under a small memory limit), or E_TOO_LARGE. */
  const streamBlock = (n: number, channels: number, backward: boolean, parts: number) => {
    const block = n > MAX_STREAM_LENGTH ? 0 : blockThatFits(channels, backward, slotsFor(parts), blockElements, mem.claimed, mem.limitBytes);
    if (block === 0) throw streamTooLarge(n, mem.limitBytes, mem.claimed, backward);
    return block;
  };

  /** A streamed call's job (src/stream.ts) on the threads it splits over, the memory grown to its layout. */
  const streamJob = (n: number, backward: boolean, channels: number, inner: number, a32: Float32Array, b32: Float32Array): StreamJob => {
    const parts = dispatch.partsFor(n);
    const at = streamLayout(channels, backward, slotsFor(parts), streamBlock(n, channels, backward, parts), mem.claimed);
    mem.ensure(at.end, n);
    return { raw, memory, pool: parts > 1 ? pool : undefined, at, channels, inner, code, a32, b32 };
  };

  /**
   * Validates a call and returns its layout with a and b as the float32 values the kernels will
   * use (checked after rounding: 1e-46 would become 0), and x, dy as they will be read: the
   * arrays themselves when the call starts now, copies when it has to wait for earlier calls.
   */
  const check = (backward: boolean, x: Float32Array, a: ParamArray, b: ParamArray, layout: ApaluLayout | undefined, dy?: Float32Array) => {
    alive();
    // The call contract's points 1, 2 and the SPEC's layout rules (@apalu/core): x and dy live
    // Float32Arrays (dy required in backward), a and b live, finite and > 0, the layout exact.
    const resolved = backward ? validateBackwardCall(x, dy, a, b, layout) : validateForwardCall(x, a, b, layout);
    const { a: a32, b: b32 } = float32Params(a, b);
    // Contract 5: refused before the memory grows (checked again when the call runs: a
    // reserve() made meanwhile may have moved the arrays up).
    if (streams) streamBlock(x.length, resolved.channels, backward, dispatch.splits(x.length) ? threads : 1);
    else checkSize(x.length, resolved.channels, backward, sizeLimit());
    const waits = inFlight > 0;
    return { ...resolved, a32, b32, xs: waits ? x.slice() : x, dys: waits && dy !== undefined ? dy.slice() : dy };
  };

  /**
   * Calls run one after another (they share the memory, and the threaded ones the workers). A
   * call made while none is running starts at once, so it reads its inputs before returning; one
   * that must wait runs after the calls before it (its caller snapshots the inputs first).
   */
  const serial = <T>(body: () => Promise<T>): Promise<T> => {
    const run = (inFlight === 0 ? body() : queue.then(body, body)).finally(() => {
      inFlight--;
    });
    inFlight++;
    queue = run.catch(() => {});
    return run;
  };

  async function forward(x: Float32Array, a: Float32Array, b: Float32Array, options?: WasmForwardOptions): Promise<Float32Array> {
    const { channels, inner, a32, b32, xs } = check(false, x, a, b, options);
    const given = checkForwardOut(options, x, a, b);
    checkOwnMemory(memory, mem.claimed, [['x', x], ['a', a], ['b', b], ['out', given]]);
    const n = x.length;
    if (streams) {
      return serial(async () => {
        const job = streamJob(n, false, channels, inner, a32, b32);
        const out = given ?? new Float32Array(n);
        streamForward(job, xs, out, n);
        return out;
      });
    }
    return serial(async () => {
      checkSize(n, channels, false, sizeLimit());
      const at = layoutFor(n, channels, 1, false, mem.claimed);
      mem.ensure(at.end, n);
      // Element indices, not `ptr >> 2`: addresses reach 4 GiB, past int32.
      const heap = new Float32Array(memory.buffer);
      heap.set(a32, at.aPtr / 4);
      heap.set(b32, at.bPtr / 4);
      heap.set(xs, at.xPtr / 4);
      await dispatch.forward(at.xPtr, at.xPtr, n, at.aPtr, at.bPtr, channels, inner);
      const result = new Float32Array(memory.buffer, at.xPtr, n);
      if (given === undefined) return result.slice();
      given.set(result);
      return given;
    });
  }

  async function backward(x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, options?: WasmBackwardOptions): Promise<ApaluGradients> {
    const { channels, inner, a32, b32, xs, dys } = check(true, x, a, b, options, dy);
    const given = checkBackwardOut(options, x, dy, a, b, channels);
    checkOwnMemory(memory, mem.claimed, [['x', x], ['dy', dy], ['a', a], ['b', b], ['out.dx', given.dx], ['out.da', given.da], ['out.db', given.db]]);
    const n = x.length;
    if (streams) {
      return serial(async () => {
        const job = streamJob(n, true, channels, inner, a32, b32);
        const dx = given.dx ?? new Float32Array(n);
        const da = given.da ?? new Float32Array(channels);
        const db = given.db ?? new Float32Array(channels);
        streamBackward(job, xs, dys as Float32Array, dx, da, db, n);
        return { dx, da, db };
      });
    }
    return serial(async () => {
      checkSize(n, channels, true, sizeLimit());
      const at = layoutFor(n, channels, scratchSlices, true, mem.claimed);
      mem.ensure(at.end, n);
      const heap = new Float32Array(memory.buffer);
      heap.set(a32, at.aPtr / 4);
      heap.set(b32, at.bPtr / 4);
      heap.set(xs, at.xPtr / 4);
      heap.set(dys as Float32Array, at.dyPtr / 4);
      await dispatch.backward(at.xPtr, at.dyPtr, at.dxPtr, at.daPtr, at.dbPtr, n, at.aPtr, at.bPtr, channels, inner, at.scratchPtr);
      const result = (ptr: number, length: number, into: Float32Array | undefined) => {
        const view = new Float32Array(memory.buffer, ptr, length);
        if (into === undefined) return view.slice();
        into.set(view);
        return into;
      };
      return { dx: result(at.dxPtr, n, given.dx), da: result(at.daPtr, channels, given.da), db: result(at.dbPtr, channels, given.db) };
    });
  }

  const checkChannels = (channels: number) => {
    if (!(Number.isInteger(channels) && channels >= 1)) throw new ApaluInputError('E_COUNT', `channels = ${String(channels)}: must be a positive integer.`);
  };

  return {
    name,
    accuracy: code === 1 ? 'composed' : 'strict',
    precision,
    kind,
    threads,
    ...(threadsNote === undefined ? {} : { threadsNote }),
    get parallelCalls() {
      return dispatch.parallelCalls;
    },
    memory,
    reserve(bytes: number) {
      alive();
      mem.claim(bytes);
    },
    async forwardAt(xPtr, outPtr, n, aPtr, bPtr, channels, inner) {
      alive();
      const s = checkPointerCall(memory, forwardRegions(xPtr, outPtr, n, aPtr, bPtr, channels), n, aPtr, bPtr, channels, inner);
      await serial(() => dispatch.forward(xPtr, outPtr, n, aPtr, bPtr, channels, s));
    },
    async backwardAt(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr) {
      alive();
      const regions = backwardRegions(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, SCRATCH_BYTES_PER_CHANNEL * channels * scratchSlices);
      const s = checkPointerCall(memory, regions, n, aPtr, bPtr, channels, inner);
      await serial(() => dispatch.backward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, s, scratchPtr));
    },
    scratchBytes(channels) {
      checkChannels(channels);
      return SCRATCH_BYTES_PER_CHANNEL * channels * scratchSlices;
    },
    maxLengths(channels = 1) {
      checkChannels(channels);
      if (streams) {
        const longest = (backward: boolean) => (blockThatFits(channels, backward, slotsFor(threads), blockElements, mem.claimed, mem.limitBytes) > 0 ? MAX_STREAM_LENGTH : 0);
        return { forward: longest(false), backward: longest(true) };
      }
      return { forward: largestLength(false, channels, sizeLimit()), backward: largestLength(true, channels, sizeLimit()) };
    },
    forward,
    backward,
    async dispose() {
      if (disposed) return;
      disposed = true;
      // Calls made before dispose() finish first; later ones are refused (E_DISPOSED).
      await queue;
      await pool?.terminate();
    },
  };
}
