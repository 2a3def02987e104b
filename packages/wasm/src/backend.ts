import {
  type ApaluBackend,
  type ApaluGradients,
  type ApaluLayout,
  ApaluInputError,
  type ParamArray,
  float32Params,
  validateBackwardCall,
  validateForwardCall,
} from '@apalu/core';
import { type KernelKind, kernelModule, sharedMemorySupported } from './bytes.js';
import {
  type BackwardPointers,
  type Precision,
  type RawKernels,
  SCRATCH_BYTES_PER_CHANNEL,
  backwardRegions,
  checkPointerCall,
  chooseKind,
  forwardRegions,
  precisionCode,
} from './kernels.js';
import { type WasmBackwardOptions, type WasmForwardOptions, checkBackwardOut, checkForwardOut, checkOwnMemory } from './outputs.js';
import type { Platform } from './platform/types.js';
import { WorkerPool } from './pool.js';
import { BLOCK_ELEMENTS, MAX_STREAM_LENGTH, blockThatFits, slotsFor, streamBackward, streamForward, streamLayout, streamTooLarge } from './stream.js';

export interface WasmBackendOptions {
  /** true: SIMD build (error where unsupported); false: scalar build; 'auto' (default): SIMD when available. */
  simd?: boolean | 'auto';
  /**
   * Threads that share the work of one large call, the calling thread included (default 1).
   * 'auto': every core. Needs shared memory (always in Node; cross-origin isolation in
   * browsers, otherwise the backend runs on one thread and says so in `threads`).
   */
  threads?: number | 'auto';
  /** Calls with fewer elements stay on the calling thread (default 65536 in Node, 131072 in browsers). */
  parallelThreshold?: number;
  /** Upper bound for the backend's WebAssembly memory in bytes (default and maximum 4 GiB). */
  maximumMemoryBytes?: number;
  /**
   * 'strict' (default): ≤ 2 ULP, the strict class. 'fast': float32 throughout in the SIMD
   * loops, the composed class (XNNPACK's tolerance, like tf.elu), ≈ 1.7× backward, 1.1× forward.
   */
  precision?: Precision;
  /**
   * Elements per block of a streamed call (default 32768, a multiple of 64): `forward` and
   * `backward` copy x (and dy) through the memory block by block, so the memory they use stays
   * about `blockElements`·(4 or 12 bytes)·(1, or 4 per thread) whatever x.length is.
   */
  blockElements?: number;
}

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

const PAGE = 65536;
const MAX_PAGES = 65536;
const align = (value: number, to: number) => Math.ceil(value / to) * to;

function optionError(message: string): ApaluInputError {
  return new ApaluInputError('E_OPTION', message);
}

interface CallLayout {
  aPtr: number;
  bPtr: number;
  daPtr: number;
  dbPtr: number;
  scratchPtr: number;
  xPtr: number;
  dyPtr: number;
  dxPtr: number;
  end: number;
}

/**
 * Where one call's arrays go in the backend's memory, from `base` (above what `reserve` claimed
 * for the caller's own tensors): parameters and float64 scratch (`slices` slices of 2·C values)
 * first, then x, then dy and dx (backward), each 64-byte aligned.
 */
function layoutFor(n: number, channels: number, slices: number, backward: boolean, base: number): CallLayout {
  const c4 = align(4 * channels, 16);
  const aPtr = base;
  const bPtr = base + c4;
  const daPtr = base + 2 * c4;
  const dbPtr = base + 3 * c4;
  const scratchPtr = base + 4 * c4;
  const xPtr = align(scratchPtr + SCRATCH_BYTES_PER_CHANNEL * channels * slices, 64);
  const dyPtr = xPtr + align(4 * n, 64);
  // dx apart from dy: the kernels then test each float32 block of sums once instead of every
  // vector before its store (in place, measured at 1M: strict 20 %, 'fast' 35 % slower).
  const dxPtr = dyPtr + align(4 * n, 64);
  return { aPtr, bPtr, daPtr, dbPtr, scratchPtr, xPtr, dyPtr, dxPtr, end: backward ? dxPtr + 4 * n : xPtr + 4 * n };
}

/** What bounds one call's size: the memory limit in bytes, the bytes `reserve` claimed, a backward's scratch slices (threads). */
export interface SizeLimit {
  limitBytes: number;
  claimed: number;
  /** float64 scratch slices of a backward call (1, or one per chunk with threads); a forward has 1. */
  slices: number;
}

/**
 * The largest n whose call layout ends within `limitBytes` (0 when not even an empty call fits).
 * The layout's end grows with n, so a closed-form estimate is corrected by a few steps.
 */
export function largestLength(backward: boolean, channels: number, { limitBytes, claimed, slices }: SizeLimit): number {
  const s = backward ? slices : 1;
  const fits = (n: number) => layoutFor(n, channels, s, backward, claimed).end <= limitBytes;
  if (!fits(0)) return 0;
  const start = layoutFor(0, channels, s, backward, claimed).xPtr;
  let n = Math.max(0, Math.floor((limitBytes - start) / (backward ? 12 : 4)));
  while (n > 0 && !fits(n)) n--;
  while (fits(n + 1)) n++;
  return n;
}

/**
 * Refuses (E_TOO_LARGE) a call of n elements whose arrays would not fit the memory limit,
 * naming the largest lengths this backend takes; `limitBytes` is 4 GiB at most (wasm32).
 */
export function checkSize(n: number, channels: number, backward: boolean, limit: SizeLimit): void {
  if (layoutFor(n, channels, backward ? limit.slices : 1, backward, limit.claimed).end <= limit.limitBytes) return;
  const forwardMax = largestLength(false, channels, limit);
  const backwardMax = largestLength(true, channels, limit);
  const claimed = limit.claimed > 0 ? `, above the ${limit.claimed} bytes claimed with reserve()` : '';
  const threads = limit.slices > 1 ? ` (backward: with ${limit.slices} float64 scratch slices for its threads)` : '';
  throw new ApaluInputError(
    'E_TOO_LARGE',
    `x.length = ${n} is too large for this backend: ${backward ? 'backward' : 'forward'} needs ${backward ? 12 : 4} bytes per element in its WebAssembly memory, ` +
      `whose limit is ${limit.limitBytes} bytes (maximumMemoryBytes; a wasm32 memory holds at most 4 GiB)${claimed}${threads}. ` +
      `With ${channels} channel${channels === 1 ? '' : 's'} it takes x.length up to ${forwardMax} for forward and ${backwardMax} for backward; ` +
      'split the call into smaller chunks along the outer dimension (whole multiples of C·inner).',
  );
}

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

/**
 * Creates the WebAssembly backend on `platform` (how workers start; the package's entries bind
 * it: `createBackend` in src/index.ts and src/index.browser.ts). Every call streams x (and dy)
 * through the backend's own memory in blocks (src/stream.ts; browsers' threaded backends copy
 * whole arrays) and writes new arrays or the caller's `out`.
 */
export async function createBackendOn(platform: Platform, options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const kind = chooseKind(options.simd ?? 'auto');
  const code = precisionCode(options.precision);
  const precision: Precision = code === 1 ? 'fast' : 'strict';
  const requested = options.threads === 'auto' ? platform.availableThreads() : (options.threads ?? 1);
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw optionError(`threads = ${String(options.threads)}: use a positive integer or 'auto' (1 keeps every call on the calling thread).`);
  }
  if (options.parallelThreshold !== undefined && !(Number.isInteger(options.parallelThreshold) && options.parallelThreshold >= 0)) {
    throw optionError(`parallelThreshold = ${String(options.parallelThreshold)}: use a non-negative integer number of elements.`);
  }
  const maximumBytes = options.maximumMemoryBytes ?? MAX_PAGES * PAGE;
  if (!(Number.isInteger(maximumBytes) && maximumBytes >= PAGE && maximumBytes <= MAX_PAGES * PAGE)) {
    throw optionError(`maximumMemoryBytes = ${String(options.maximumMemoryBytes)}: use an integer from 65536 (one page) to 4 GiB.`);
  }
  const maximumPages = Math.floor(maximumBytes / PAGE);
  const blockElements = options.blockElements ?? BLOCK_ELEMENTS;
  if (!(Number.isInteger(blockElements) && blockElements >= 64 && blockElements % 64 === 0 && blockElements <= 1 << 24)) {
    throw optionError(`blockElements = ${String(options.blockElements)}: use a multiple of 64 from 64 to 16777216 (default ${BLOCK_ELEMENTS}).`);
  }

  let threads = requested;
  let threadsNote: string | undefined;
  if (threads > 1 && !sharedMemorySupported()) {
    threadsNote = 'shared WebAssembly memory is unavailable here (a browser page needs cross-origin isolation: COOP/COEP headers); running on one thread';
    threads = 1;
  }
  const noWorkers = threads > 1 ? platform.workersUnavailable() : undefined;
  if (noWorkers !== undefined) {
    threadsNote = `${noWorkers}; running on one thread`;
    threads = 1;
  }
  const shared = threads > 1;
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: maximumPages, shared: true } : { initial: 1, maximum: maximumPages });
  const module = await kernelModule(kind, { shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const raw = instance.exports as unknown as RawKernels;
  const pool = shared ? await WorkerPool.create(platform, threads - 1, module, memory) : undefined;
  // Node's workers take jobs through Atomics (2 threads ≈ 1.8 × one from 64K elements on the
  // bench machine); browsers' through messages, which pay off from ~128K.
  const parallelThreshold = options.parallelThreshold ?? (pool?.direct === false ? 1 << 17 : 1 << 16);
  let disposed = false;
  let parallelCalls = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** Calls accepted and not yet finished (a new call that must wait snapshots its inputs). */
  let inFlight = 0;
  /** Bytes the caller claimed with `reserve` for tensors of its own: the array calls copy above them. */
  let claimed = 0;

  /** Grows the memory to hold `bytes`, or throws before anything is written. */
  const reserve = (bytes: number, n?: number) => {
    const what = n === undefined ? 'the request' : `x.length = ${n}`;
    if (bytes > maximumPages * PAGE) {
      throw new ApaluInputError(
        'E_TOO_LARGE',
        `reserve(${bytes}): more than this backend's memory limit of ${maximumPages * PAGE} bytes ` +
          `(maximumMemoryBytes; a wasm32 memory holds at most 4 GiB); claim less, or create the backend with a larger maximumMemoryBytes.`,
      );
    }
    const have = memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (error) {
      throw new ApaluInputError(
        'E_MEMORY',
        `${what} needs ${bytes} bytes of WebAssembly memory, but the memory could not grow from ${have} bytes ` +
          `(${error instanceof Error ? error.message : String(error)}); free memory, lower the batch size or split the call.`,
      );
    }
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
    if (streams) streamBlock(x.length, resolved.channels, backward, splits(x.length) ? threads : 1);
    else checkSize(x.length, resolved.channels, backward, sizeLimit());
    const waits = inFlight > 0;
    return { ...resolved, a32, b32, xs: waits ? x.slice() : x, dys: waits && dy !== undefined ? dy.slice() : dy };
  };

  const sizeLimit = (): SizeLimit => ({ limitBytes: maximumPages * PAGE, claimed, slices: scratchSlices });

  /**
   * Node and one-thread backends stream the array calls through the memory in blocks
   * (src/stream.ts); browsers' threaded backends, whose workers take jobs by message (the page's
   * thread cannot wait for them block by block), copy whole arrays as before.
   */
  const streams = pool === undefined || pool.direct;
  /** The block length of a streamed call on `parts` threads (smaller than blockElements only under a small memory limit), or E_TOO_LARGE. */
  const streamBlock = (n: number, channels: number, backward: boolean, parts: number) => {
    const block = n > MAX_STREAM_LENGTH ? 0 : blockThatFits(channels, backward, slotsFor(parts), blockElements, claimed, maximumPages * PAGE);
    if (block === 0) throw streamTooLarge(n, maximumPages * PAGE, claimed, backward);
    return block;
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

  /** Whether a call of n elements is shared with the workers. */
  const splits = (n: number) => pool !== undefined && n >= parallelThreshold && n >= 32;
  const partsFor = (n: number) => {
    const parts = splits(n) ? threads : 1;
    if (parts > 1) parallelCalls++;
    return parts;
  };

  const name = `wasm-${kind}${threads > 1 ? '-threads' : ''}${code === 1 ? '-fast' : ''}`;
  /** float64 sum slices a backward call may use: one per chunk of a threaded call. */
  const scratchSlices = threads > 1 ? threads * chunksPerThread(threads) : 1;
  /** Elements per chunk of a threaded call: chunksPerThread per thread, multiples of 16. */
  const chunkSize = (n: number, parts: number) => align(Math.ceil(n / (parts * chunksPerThread(parts))), 16);

  /** Runs forward over [0, n) on the calling thread and the workers (memory already filled). */
  async function runForward(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number, inner: number) {
    const parts = partsFor(n);
    if (parts === 1 || pool === undefined) {
      raw.forward(xPtr, outPtr, n, aPtr, bPtr, channels, inner, code);
      return;
    }
    await pool.chunks('forwardChunks', [xPtr, outPtr, n, aPtr, bPtr, channels, inner, code], n, chunkSize(n, parts), (_, start, count) =>
      raw.forwardRange(xPtr, outPtr, start, count, aPtr, bPtr, channels, inner, code),
    );
  }

  /** Runs backward over [0, n); scratch holds one float64 slice (2·C values) per chunk. */
  async function runBackward(...[xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr]: BackwardPointers) {
    const parts = partsFor(n);
    if (parts === 1 || pool === undefined) {
      raw.backward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, code);
      return;
    }
    const slice = SCRATCH_BYTES_PER_CHANNEL * channels;
    const chunk = chunkSize(n, parts);
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

  async function forward(x: Float32Array, a: Float32Array, b: Float32Array, options?: WasmForwardOptions): Promise<Float32Array> {
    const { channels, inner, a32, b32, xs } = check(false, x, a, b, options);
    const given = checkForwardOut(options, x, a, b);
    checkOwnMemory(memory, claimed, [['x', x], ['a', a], ['b', b], ['out', given]]);
    const n = x.length;
    if (streams) {
      return serial(async () => {
        const parts = partsFor(n);
        const at = streamLayout(channels, false, slotsFor(parts), streamBlock(n, channels, false, parts), claimed);
        reserve(at.end, n);
        const out = given ?? new Float32Array(n);
        streamForward({ raw, memory, pool: parts > 1 ? pool : undefined, at, channels, inner, code, a32, b32 }, xs, out, n);
        return out;
      });
    }
    return serial(async () => {
      checkSize(n, channels, false, sizeLimit());
      const at = layoutFor(n, channels, 1, false, claimed);
      reserve(at.end, n);
      // Element indices, not `ptr >> 2`: addresses reach 4 GiB, past int32.
      const heap = new Float32Array(memory.buffer);
      heap.set(a32, at.aPtr / 4);
      heap.set(b32, at.bPtr / 4);
      heap.set(xs, at.xPtr / 4);
      await runForward(at.xPtr, at.xPtr, n, at.aPtr, at.bPtr, channels, inner);
      const result = new Float32Array(memory.buffer, at.xPtr, n);
      if (given === undefined) return result.slice();
      given.set(result);
      return given;
    });
  }

  async function backward(x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, options?: WasmBackwardOptions): Promise<ApaluGradients> {
    const { channels, inner, a32, b32, xs, dys } = check(true, x, a, b, options, dy);
    const given = checkBackwardOut(options, x, dy, a, b, channels);
    checkOwnMemory(memory, claimed, [['x', x], ['dy', dy], ['a', a], ['b', b], ['out.dx', given.dx], ['out.da', given.da], ['out.db', given.db]]);
    const n = x.length;
    if (streams) {
      return serial(async () => {
        const parts = partsFor(n);
        const at = streamLayout(channels, true, slotsFor(parts), streamBlock(n, channels, true, parts), claimed);
        reserve(at.end, n);
        const dx = given.dx ?? new Float32Array(n);
        const da = given.da ?? new Float32Array(channels);
        const db = given.db ?? new Float32Array(channels);
        streamBackward({ raw, memory, pool: parts > 1 ? pool : undefined, at, channels, inner, code, a32, b32 }, xs, dys as Float32Array, dx, da, db, n);
        return { dx, da, db };
      });
    }
    return serial(async () => {
      checkSize(n, channels, true, sizeLimit());
      const at = layoutFor(n, channels, scratchSlices, true, claimed);
      reserve(at.end, n);
      const heap = new Float32Array(memory.buffer);
      heap.set(a32, at.aPtr / 4);
      heap.set(b32, at.bPtr / 4);
      heap.set(xs, at.xPtr / 4);
      heap.set(dys as Float32Array, at.dyPtr / 4);
      await runBackward(at.xPtr, at.dyPtr, at.dxPtr, at.daPtr, at.dbPtr, n, at.aPtr, at.bPtr, channels, inner, at.scratchPtr);
      const result = (ptr: number, length: number, into: Float32Array | undefined) => {
        const view = new Float32Array(memory.buffer, ptr, length);
        if (into === undefined) return view.slice();
        into.set(view);
        return into;
      };
      return { dx: result(at.dxPtr, n, given.dx), da: result(at.daPtr, channels, given.da), db: result(at.dbPtr, channels, given.db) };
    });
  }

  const alive = () => {
    if (disposed) throw new ApaluInputError('E_DISPOSED', `the ${name} backend was disposed; create a new one with createBackend().`);
  };

  return {
    name,
    accuracy: code === 1 ? 'composed' : 'strict',
    precision,
    kind,
    threads,
    ...(threadsNote === undefined ? {} : { threadsNote }),
    get parallelCalls() {
      return parallelCalls;
    },
    memory,
    reserve(bytes: number) {
      alive();
      if (!(Number.isInteger(bytes) && bytes >= 0)) throw new ApaluInputError('E_COUNT', `bytes = ${String(bytes)}: must be a non-negative integer.`);
      reserve(bytes);
      claimed = Math.max(claimed, align(bytes, 64));
    },
    async forwardAt(xPtr, outPtr, n, aPtr, bPtr, channels, inner) {
      alive();
      const s = checkPointerCall(memory, forwardRegions(xPtr, outPtr, n, aPtr, bPtr, channels), n, aPtr, bPtr, channels, inner);
      await serial(() => runForward(xPtr, outPtr, n, aPtr, bPtr, channels, s));
    },
    async backwardAt(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr) {
      alive();
      const regions = backwardRegions(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, SCRATCH_BYTES_PER_CHANNEL * channels * scratchSlices);
      const s = checkPointerCall(memory, regions, n, aPtr, bPtr, channels, inner);
      await serial(() => runBackward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, s, scratchPtr));
    },
    scratchBytes(channels) {
      if (!(Number.isInteger(channels) && channels >= 1)) throw new ApaluInputError('E_COUNT', `channels = ${String(channels)}: must be a positive integer.`);
      return SCRATCH_BYTES_PER_CHANNEL * channels * scratchSlices;
    },
    maxLengths(channels = 1) {
      if (!(Number.isInteger(channels) && channels >= 1)) throw new ApaluInputError('E_COUNT', `channels = ${String(channels)}: must be a positive integer.`);
      if (streams) {
        const longest = (backward: boolean) => (blockThatFits(channels, backward, slotsFor(threads), blockElements, claimed, maximumPages * PAGE) > 0 ? MAX_STREAM_LENGTH : 0);
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
