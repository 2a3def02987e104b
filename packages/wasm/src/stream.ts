// Streaming of the array calls (backend.forward/backward with Float32Arrays) through the backend's WebAssembly memory in cache-sized blocks: copy a block in, compute it, copy it out, on the calling thread or pipelined with the Node worker pool.
import { ApaluEnvironmentError, ApaluInputError } from '@apalu/core';
import { type RawKernels, SCRATCH_BYTES_PER_CHANNEL } from './kernels.js';
import { type JobType, STATE } from './worker/protocol.js';

/**
 * Elements per block (default): x, dy and dx of a block (384 KB for backward) stay in a core's
 * L2 cache while the kernel runs, and the per-block costs (two typed-array copies, one kernel
 * call, a JS loop step) stay below 2 % of a block's time.
 */
export const BLOCK_ELEMENTS = 1 << 15;

/** The longest x a streamed call takes: element indices and the inner size S are int32 in the kernels. */
export const MAX_STREAM_LENGTH = 2 ** 31 - 1;

/** Ring slots per thread of a pipelined call: blocks copied in ahead while others are computed. */
const SLOTS_PER_THREAD = 4;

/** How long the calling thread waits for a worker's block before it gives up with an error. */
const WAIT_LIMIT_MS = 120_000;

const align = (value: number, to: number) => Math.ceil(value / to) * to;

/** Where a streamed call keeps its parameters, sums, state and block buffers (byte addresses from `base`). */
export interface StreamLayout {
  /** a and b twice each (2·C floats): a block whose first channel is c0 reads a from a2Ptr + 4·c0. */
  a2Ptr: number;
  b2Ptr: number;
  /** Int32 pipeline state (see STATE in src/worker/protocol.ts). */
  statePtr: number;
  /** One float64 slice (2·C values) per slot: a block's sums (backward). */
  sumsPtr: number;
  sliceBytes: number;
  /** Block buffers: slot s at slotsPtr + s·slotBytes; forward [x], backward [x | dy | dx], each `block` floats. */
  slotsPtr: number;
  slotBytes: number;
  slots: number;
  block: number;
  end: number;
}

/** Ring slots for a call on `threads` threads (1: one slot, filled, computed and emptied in turn). */
export const slotsFor = (threads: number) => (threads > 1 ? SLOTS_PER_THREAD * threads : 1);

export function streamLayout(channels: number, backward: boolean, slots: number, block: number, base: number): StreamLayout {
  const params = align(8 * channels, 64);
  const a2Ptr = align(base, 64);
  const b2Ptr = a2Ptr + params;
  const statePtr = b2Ptr + params;
  const sumsPtr = statePtr + align(4 * (STATE.DONE + slots), 64);
  const sliceBytes = align(SCRATCH_BYTES_PER_CHANNEL * channels, 64);
  const slotsPtr = sumsPtr + (backward ? sliceBytes * slots : 0);
  const slotBytes = (backward ? 3 : 1) * align(4 * block, 64);
  return { a2Ptr, b2Ptr, statePtr, sumsPtr, sliceBytes, slotsPtr, slotBytes, slots, block, end: slotsPtr + slotBytes * slots };
}

/**
 * The largest block (a multiple of 64 elements, at most `block`) whose layout ends within
 * `limitBytes`, or 0 when not even 64 elements fit.
 */
export function blockThatFits(channels: number, backward: boolean, slots: number, block: number, base: number, limitBytes: number): number {
  const fixed = streamLayout(channels, backward, slots, 0, base).end;
  if (fixed >= limitBytes) return 0;
  const perElement = (backward ? 12 : 4) * slots;
  const fits = Math.min(block, Math.floor((limitBytes - fixed) / perElement / 64) * 64);
  return fits >= 64 ? fits : 0;
}

/** Where block j lies: its first element, length, offset inside its S-element run, and the channel of that run. */
export function blockAt(j: number, block: number, n: number, channels: number, inner: number) {
  const start = j * block;
  const length = Math.min(block, n - start);
  if (channels === 1) return { start, length, within: 0, c0: 0 };
  const run = Math.floor(start / inner);
  return { start, length, within: start - run * inner, c0: run % channels };
}

/** Workers that take jobs through shared control slots and block the caller in `join` (the backend's Node pool). */
export interface StreamPool {
  readonly size: number;
  start(index: number, type: JobType, args: number[]): void;
  join(index: number): void;
}

/**
 * What a streamed call needs besides its arrays. Hosts that run the kernels in a memory of their
 * own (the tfjs cpu kernel) pass `pool: undefined`: one thread, synchronous.
 */
export interface StreamJob {
  raw: RawKernels;
  memory: WebAssembly.Memory;
  /** The Node pool (direct jobs); undefined: one thread. */
  pool: StreamPool | undefined;
  at: StreamLayout;
  channels: number;
  inner: number;
  code: 0 | 1;
  a32: Float32Array;
  b32: Float32Array;
}

/** a and b twice each at a2Ptr, b2Ptr; zeroes the pipeline state. */
function prepare({ memory, at, a32, b32, channels }: StreamJob): Float32Array {
  const heap = new Float32Array(memory.buffer);
  for (const [ptr, values] of [
    [at.a2Ptr, a32],
    [at.b2Ptr, b32],
  ] as const) {
    heap.set(values, ptr / 4);
    heap.set(values, ptr / 4 + channels);
  }
  new Int32Array(memory.buffer, at.statePtr, STATE.DONE + at.slots).fill(0);
  return heap;
}

/**
 * The kernels' view of block j in its slot: element `within` of a tensor whose channel 0 is c0
 * sits at the slot's first byte. The tensor's address, slot − 4·within, may lie below 0: wasm32
 * addresses wrap modulo 2^32, so every element the kernel touches (index ≥ within) is in the slot.
 */
const virtual = (slot: number, within: number) => (slot - 4 * within) | 0;

/** forward of n elements from x into out (may be x), block by block; synchronous. */
export function streamForward(job: StreamJob, x: Float32Array, out: Float32Array, n: number): void {
  const { raw, at, channels, inner, code } = job;
  const heap = prepare(job);
  const nb = Math.ceil(n / at.block);
  const compute = (j: number) => {
    const { length, within, c0 } = blockAt(j, at.block, n, channels, inner);
    const slot = at.slotsPtr + (j % at.slots) * at.slotBytes;
    const v = virtual(slot, within);
    raw.forwardRange(v, v, within, length, at.a2Ptr + 4 * c0, at.b2Ptr + 4 * c0, channels, inner, code);
  };
  const copyIn = (j: number) => {
    const { start, length } = blockAt(j, at.block, n, channels, inner);
    heap.set(x.subarray(start, start + length), (at.slotsPtr + (j % at.slots) * at.slotBytes) / 4);
  };
  const copyOut = (j: number) => {
    const { start, length } = blockAt(j, at.block, n, channels, inner);
    const from = (at.slotsPtr + (j % at.slots) * at.slotBytes) / 4;
    out.set(heap.subarray(from, from + length), start);
  };
  if (job.pool === undefined || nb < 2) {
    for (let j = 0; j < nb; j++) {
      copyIn(j);
      compute(j);
      copyOut(j);
    }
    return;
  }
  const { slotsPtr, slotBytes, slots, block, a2Ptr, b2Ptr, statePtr } = at;
  pipeline(job, 'streamForward', [slotsPtr, slotBytes, slots, nb, block, n, a2Ptr, b2Ptr, channels, inner, code, statePtr], nb, copyIn, compute, copyOut);
}

/**
 * backward of n elements: dx (may be x or dy) block by block; each block's float64 sums are
 * added to float64 totals in block order (the same bits on any thread count), then rounded
 * into da, db.
 */
export function streamBackward(job: StreamJob, x: Float32Array, dy: Float32Array, dx: Float32Array, da: Float32Array, db: Float32Array, n: number): void {
  const { raw, memory, at, channels, inner, code } = job;
  const heap = prepare(job);
  const nb = Math.ceil(n / at.block);
  const b4 = align(4 * at.block, 64);
  const totals = new Float64Array(2 * channels);
  const compute = (j: number) => {
    const { length, within, c0 } = blockAt(j, at.block, n, channels, inner);
    const s = j % at.slots;
    const slot = at.slotsPtr + s * at.slotBytes;
    const sums = at.sumsPtr + s * at.sliceBytes;
    new Float64Array(memory.buffer, sums, 2 * channels).fill(0);
    raw.backwardRange(virtual(slot, within), virtual(slot + b4, within), virtual(slot + 2 * b4, within), within, length, at.a2Ptr + 4 * c0, at.b2Ptr + 4 * c0, channels, inner, sums, code);
  };
  const copyIn = (j: number) => {
    const { start, length } = blockAt(j, at.block, n, channels, inner);
    const slot = (at.slotsPtr + (j % at.slots) * at.slotBytes) / 4;
    heap.set(x.subarray(start, start + length), slot);
    heap.set(dy.subarray(start, start + length), slot + b4 / 4);
  };
  const copyOut = (j: number) => {
    const { start, length, c0 } = blockAt(j, at.block, n, channels, inner);
    const from = (at.slotsPtr + (j % at.slots) * at.slotBytes + 2 * b4) / 4;
    dx.set(heap.subarray(from, from + length), start);
    // The block's channel k is channel (c0 + k) mod C.
    const sums = new Float64Array(memory.buffer, at.sumsPtr + (j % at.slots) * at.sliceBytes, 2 * channels);
    for (let k = 0; k < channels; k++) {
      const c = (c0 + k) % channels;
      totals[c] = (totals[c] as number) + (sums[k] as number);
      totals[channels + c] = (totals[channels + c] as number) + (sums[channels + k] as number);
    }
  };
  if (job.pool === undefined || nb < 2) {
    for (let j = 0; j < nb; j++) {
      copyIn(j);
      compute(j);
      copyOut(j);
    }
  } else {
    const { slotsPtr, slotBytes, slots, block, a2Ptr, b2Ptr, statePtr, sumsPtr, sliceBytes } = at;
    const args = [slotsPtr, slotBytes, slots, nb, block, n, a2Ptr, b2Ptr, channels, inner, code, statePtr, sumsPtr, sliceBytes];
    pipeline(job, 'streamBackward', args, nb, copyIn, compute, copyOut);
  }
  for (let c = 0; c < channels; c++) {
    da[c] = totals[c] as number;
    db[c] = totals[channels + c] as number;
  }
}

/**
 * The calling thread copies blocks in (ahead, while slots are free) and out (in block order),
 * and computes blocks itself when nothing else is ready; the workers take the filled blocks
 * from the shared `next` counter. Which thread computed a block changes no bit: its results
 * depend on its index only, and its sums are added when it is copied out, in order.
 */
function pipeline(
  job: StreamJob,
  type: 'streamForward' | 'streamBackward',
  args: number[],
  nb: number,
  copyIn: (j: number) => void,
  compute: (j: number) => void,
  copyOut: (j: number) => void,
): void {
  const pool = job.pool as StreamPool;
  const { slots } = job.at;
  const state = new Int32Array(job.memory.buffer, job.at.statePtr, STATE.DONE + slots);
  for (let i = 0; i < pool.size; i++) pool.start(i, type, args);
  let failure: unknown;
  try {
    let nextIn = 0;
    let nextOut = 0;
    let deadline = 0;
    while (nextOut < nb) {
      const slot = nextOut % slots;
      if (nextOut < nextIn && Atomics.load(state, STATE.DONE + slot) === nextOut + 1) {
        copyOut(nextOut++);
        deadline = 0;
        continue;
      }
      if (nextIn < nb && nextIn - nextOut < slots) {
        copyIn(nextIn++);
        Atomics.store(state, STATE.FILLED, nextIn);
        Atomics.notify(state, STATE.FILLED);
        continue;
      }
      const next = Atomics.load(state, STATE.NEXT);
      if (next < nextIn && Atomics.compareExchange(state, STATE.NEXT, next, next + 1) === next) {
        compute(next);
        Atomics.store(state, STATE.DONE + (next % slots), next + 1);
        continue;
      }
      // A worker has block nextOut: spin briefly, then sleep until its done flag changes.
      if (Atomics.load(state, STATE.ABORT) !== 0) {
        failure = new ApaluEnvironmentError('E_WORKER', '@apalu/wasm: a worker failed during a streamed call');
        break;
      }
      if (deadline === 0) deadline = Date.now() + WAIT_LIMIT_MS;
      const seen = Atomics.load(state, STATE.DONE + slot);
      if (seen === nextOut + 1) continue;
      const spinUntil = performance.now() + 0.05;
      while (Atomics.load(state, STATE.DONE + slot) === seen && performance.now() < spinUntil) {}
      if (Atomics.load(state, STATE.DONE + slot) === seen) Atomics.wait(state, STATE.DONE + slot, seen, 20);
      if (Date.now() > deadline) throw new ApaluEnvironmentError('E_WORKER', `@apalu/wasm: a worker did not finish block ${nextOut} within ${WAIT_LIMIT_MS / 1000} s`);
    }
  } catch (error) {
    failure = error;
  } finally {
    if (failure !== undefined) {
      Atomics.store(state, STATE.ABORT, 1);
      Atomics.notify(state, STATE.FILLED);
    }
    // A worker's own error (join throws it) says more than the abort seen here.
    let workerError: unknown;
    for (let i = 0; i < pool.size; i++) {
      try {
        pool.join(i);
      } catch (error) {
        workerError ??= error;
      }
    }
    if (workerError !== undefined) failure = workerError;
  }
  if (failure !== undefined) throw failure;
}

/** E_TOO_LARGE for a streamed call: longer than the kernels' int32 indices, or no room for even a small block under the memory limit. */
export function streamTooLarge(n: number, limitBytes: number, claimed: number, backward: boolean): ApaluInputError {
  if (n > MAX_STREAM_LENGTH) {
    return new ApaluInputError(
      'E_TOO_LARGE',
      `x.length = ${n} is too large for this backend: the kernels index elements with int32, so a call takes x.length up to ${MAX_STREAM_LENGTH}; ` +
        'split the call into smaller chunks along the outer dimension (whole multiples of C·inner).',
    );
  }
  return new ApaluInputError(
    'E_TOO_LARGE',
    `x.length = ${n}: the memory limit of ${limitBytes} bytes (maximumMemoryBytes)${claimed > 0 ? `, above the ${claimed} bytes claimed with reserve(),` : ''} leaves no room ` +
      `for the ${backward ? 'backward' : 'forward'} call's block buffers (at least 64 elements per thread); it takes x.length up to 0. ` +
      'Create the backend with a larger maximumMemoryBytes or reserve less.',
  );
}
