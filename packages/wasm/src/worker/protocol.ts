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
 * A control slot (Node): SIZE int32 fields, namely seq, done, failed, type, nargs, MAX_ARGS
 * arguments, then the error text from ERROR on (one character per field). The parent writes the
 * job, then bumps seq; the worker runs it, writes failed (the text's length + 1) if it threw,
 * then sets done = seq.
 */
export const SLOT = { SIZE: 512, SEQ: 0, DONE: 1, FAILED: 2, TYPE: 3, NARGS: 4, ARGS: 5, MAX_ARGS: 16, ERROR: 5 + 16 } as const;

/** Int32 words at a streamed call's state address: [filled, abort, next block to take, done[slot]…]. */
export const STATE = { FILLED: 0, ABORT: 1, NEXT: 2, DONE: 3 } as const;

/** Bytes of float64 scratch the backward kernels need per channel (da and db sums): a chunked backward's slice i starts at scratch + this·C·i. */
export const SCRATCH_BYTES_PER_CHANNEL = 16;
