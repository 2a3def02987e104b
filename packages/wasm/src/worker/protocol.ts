// The pool ↔ worker protocol, imported by both sides (src/pool.ts, src/stream.ts and the worker,
// src/worker/body.ts): job kinds, messages, control-slot fields and the streamed call's state words.

/** Job kinds: a message's `type`, or the number written into a control slot's TYPE field. */
export const JOB_KINDS = { forwardChunks: 1, backwardChunks: 2, streamForward: 3, streamBackward: 4 } as const;
export type JobType = keyof typeof JOB_KINDS;
export type JobKind = (typeof JOB_KINDS)[JobType];

/** What the pool posts to a worker: 'init' once, then jobs (browsers; Node's jobs go through the control slots). */
export interface WorkerMessage {
  type: 'init' | JobType;
  module?: WebAssembly.Module;
  memory?: WebAssembly.Memory;
  args?: number[];
  /** init: the shared chunk counter (counter[0]) that chunked jobs take their chunks from. */
  counter?: Int32Array;
  /** With control slots (Node), the shared slots, this worker's slot offset and the slot size. */
  control?: Int32Array;
  slot?: number;
  slotSize?: number;
}

/** What a worker sends back: the job's id, and an error's text if it failed. */
export type Reply = { id: number; error?: string };

/**
 * Int32 fields per control slot (Node): seq, done, failed, type, nargs, 16 arguments, then the
 * error text (one character per field). The parent writes the job, then bumps seq; the worker
 * runs it, writes failed (the text's length + 1) if it threw, then sets done = seq.
 */
export const SLOT = 512;
export const SLOT_SEQ = 0;
export const SLOT_DONE = 1;
export const SLOT_FAILED = 2;
export const SLOT_TYPE = 3;
export const SLOT_NARGS = 4;
export const SLOT_ARGS = 5;
/** Arguments a job may take through a control slot. */
export const MAX_ARGS = 16;
/** Where a slot's error text starts (after the 5 fields and 16 arguments). */
export const SLOT_ERROR = SLOT_ARGS + MAX_ARGS;

/** Int32 words at a streamed call's state address: [filled, abort, next block to take, done[slot]…]. */
export const STATE_FILLED = 0;
export const STATE_ABORT = 1;
export const STATE_NEXT = 2;
export const STATE_DONE = 3;

/** Bytes of float64 scratch the backward kernels need per channel (da and db sums): a chunked backward's slice i starts at scratch + this·C·i. */
export const SCRATCH_BYTES_PER_CHANNEL = 16;
