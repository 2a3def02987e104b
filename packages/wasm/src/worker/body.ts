// The worker's code (bundled to a source string by scripts/build-worker.mjs): instantiates the
// shared-memory kernels over the memory it is sent and runs the jobs of src/worker/protocol.ts.
import type { RawKernels } from '../kernels.js';
import { JOB_KINDS, type JobKind, type Reply, SCRATCH_BYTES_PER_CHANNEL, SLOT, STATE, type WorkerMessage } from './protocol.js';

/** The platform's part (src/worker/node.ts, src/worker/browser.ts): how replies go out, messages come in, and a task is deferred. */
export interface WorkerHost {
  post(reply: Reply): void;
  listen(handle: (message: WorkerMessage & { id: number }) => void): void;
  later(fn: () => void): void;
}

/** Starts the worker on `host`: answers 'init' and jobs by message, and (Node) serves its control slot after init. */
export function startWorker(host: WorkerHost): void {
  let kernels: RawKernels;
  let counter: Int32Array;
  let memory: WebAssembly.Memory;

  /** Forward in chunks taken from the shared counter (see WorkerPool.chunks). */
  const forwardChunks = (args: number[]) => {
    const [x, out, n, a, b, C, S, code, chunk] = args as [number, number, number, number, number, number, number, 0 | 1, number];
    for (;;) {
      const start = Atomics.add(counter, 0, 1) * chunk;
      if (start >= n) break;
      kernels.forwardRange(x, out, start, Math.min(chunk, n - start), a, b, C, S, code);
    }
  };

  /** Backward in chunks; chunk i adds its sums to its own zeroed float64 slice. */
  const backwardChunks = (args: number[]) => {
    const [x, dy, dx, n, a, b, C, S, scratch, code, chunk] = args as [number, number, number, number, number, number, number, number, number, 0 | 1, number];
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      const start = i * chunk;
      if (start >= n) break;
      kernels.backwardRange(x, dy, dx, start, Math.min(chunk, n - start), a, b, C, S, scratch + SCRATCH_BYTES_PER_CHANNEL * C * i, code);
    }
  };

  /**
   * The worker side of a pipelined streamed call (src/stream.ts): take filled blocks from the
   * shared state, compute them in their slot, mark them done. Block geometry (start, within, c0)
   * and the wrapped slot address are computed exactly as `blockAt` and `virtual` in src/stream.ts.
   */
  const streamBlocks = (backward: boolean, args: number[], st: Int32Array) => {
    const [slots, slotBytes, K, nb, block, n, a2, b2, C, S, code, , sums = 0, sliceBytes = 0] = args as [
      number, number, number, number, number, number, number, number, number, number, 0 | 1, number, number?, number?,
    ];
    const b4 = Math.ceil((4 * block) / 64) * 64;
    for (;;) {
      const j = Atomics.add(st, STATE.NEXT, 1);
      if (j >= nb) return;
      for (let spins = 0; ; spins++) {
        const filled = Atomics.load(st, STATE.FILLED);
        if (filled > j) break;
        if (Atomics.load(st, STATE.ABORT) !== 0) return;
        if (spins > 1000) Atomics.wait(st, STATE.FILLED, filled, 20);
      }
      const start = j * block;
      const length = Math.min(block, n - start);
      let within = 0;
      let c0 = 0;
      if (C !== 1) {
        const run = Math.floor(start / S);
        within = start - run * S;
        c0 = run % C;
      }
      const s = j % K;
      const slot = slots + s * slotBytes;
      if (backward) {
        const acc = sums + s * sliceBytes;
        new Float64Array(memory.buffer, acc, 2 * C).fill(0);
        kernels.backwardRange((slot - 4 * within) | 0, (slot + b4 - 4 * within) | 0, (slot + 2 * b4 - 4 * within) | 0, within, length, a2 + 4 * c0, b2 + 4 * c0, C, S, acc, code);
      } else {
        const v = (slot - 4 * within) | 0;
        kernels.forwardRange(v, v, within, length, a2 + 4 * c0, b2 + 4 * c0, C, S, code);
      }
      Atomics.store(st, STATE.DONE + s, j + 1);
      Atomics.notify(st, STATE.DONE + s);
    }
  };

  /** `stream(backward, args)`: args as src/stream.ts's pipeline passes them; state words at args[11]. */
  const stream = (backward: boolean, args: number[]) => {
    const K = args[2] as number;
    const st = new Int32Array(memory.buffer, args[11] as number, STATE.DONE + K);
    try {
      streamBlocks(backward, args, st);
    } catch (error) {
      // The calling thread may be waiting for one of this worker's blocks: abort the call.
      Atomics.store(st, STATE.ABORT, 1);
      for (let k = 0; k < K; k++) Atomics.notify(st, STATE.DONE + k);
      throw error;
    }
  };

  const run = (kind: JobKind | number, args: number[]) => {
    if (kind === JOB_KINDS.streamForward || kind === JOB_KINDS.streamBackward) stream(kind === JOB_KINDS.streamBackward, args);
    else if (kind === JOB_KINDS.forwardChunks) forwardChunks(args);
    else backwardChunks(args);
  };

  const describe = (error: unknown) => String((error as { stack?: unknown } | null)?.stack || error);

  /**
   * With control slots (the Node platform), after init the worker waits on its slot (Atomics)
   * instead of its message port. A failure leaves its message in the slot (the parent is blocked
   * in join and would not see a message before it returns), failed = its length + 1.
   */
  const serve = (control: Int32Array, base: number, slotSize: number) => {
    let seen = 0;
    for (;;) {
      Atomics.wait(control, base + SLOT.SEQ, seen);
      seen = Atomics.load(control, base + SLOT.SEQ);
      const args: number[] = [];
      for (let i = 0; i < (control[base + SLOT.NARGS] as number); i++) args.push(control[base + SLOT.ARGS + i] as number);
      try {
        run(control[base + SLOT.TYPE] as number, args);
      } catch (error) {
        const text = describe(error).slice(0, slotSize - SLOT.ERROR);
        for (let i = 0; i < text.length; i++) control[base + SLOT.ERROR + i] = text.charCodeAt(i);
        Atomics.store(control, base + SLOT.FAILED, text.length + 1);
      }
      Atomics.store(control, base + SLOT.DONE, seen);
      Atomics.notify(control, base + SLOT.DONE);
    }
  };

  host.listen((m) => {
    try {
      if (m.type === 'init') {
        kernels = new WebAssembly.Instance(m.module as WebAssembly.Module, { env: { memory: m.memory as WebAssembly.Memory } }).exports as unknown as RawKernels;
        counter = m.counter as Int32Array;
        memory = m.memory as WebAssembly.Memory;
      } else run(JOB_KINDS[m.type], m.args ?? []);
      host.post({ id: m.id });
      const control = m.control;
      if (m.type === 'init' && control) host.later(() => serve(control, m.slot as number, m.slotSize as number));
    } catch (error) {
      host.post({ id: m.id, error: describe(error) });
    }
  });
}
