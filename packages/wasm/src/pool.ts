// The worker pool: starts the platform's workers over the backend's memory and hands them jobs,
// by message (browsers) or through shared control slots (Node); the protocol is src/worker/protocol.ts.
import { ApaluEnvironmentError, ApaluInputError } from '@apalu/core';
import type { Platform, WorkerPort } from './platform/types.js';
import { JOB_KINDS, type JobType, type Reply, SLOT, type WorkerMessage } from './worker/protocol.js';

export type { JobType, WorkerMessage };
/** How long `join` waits for a worker before it gives up with an error. */
const JOIN_LIMIT_MS = 120_000;

/** Worker threads (Node) or Web Workers (browsers) sharing one memory; one job at a time each. */
export class WorkerPool {
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private busy = 0;

  /** With control slots (Node), jobs go through `start`/`join` on shared control slots instead of messages. */
  private control: Int32Array | undefined;

  private constructor(private readonly ports: WorkerPort[]) {}

  /** Whether `start`/`join` are available (the Node platform); otherwise use `run`. */
  get direct(): boolean {
    return this.control !== undefined;
  }

  get size(): number {
    return this.ports.length;
  }

  /** Starts `count` workers on `platform` over `memory`, each with an instance of `module` (the shared build). */
  static async create(platform: Platform, count: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WorkerPool> {
    const ports: WorkerPort[] = [];
    const pool = new WorkerPool(ports);
    ports.push(
      ...platform.startWorkers(
        count,
        (reply: Reply) => pool.settle(reply),
        (error) => pool.failAll(new ApaluEnvironmentError('E_WORKER', `@apalu/wasm: a worker thread failed: ${error.message}`, { cause: error })),
      ),
    );
    const control = platform.direct ? new Int32Array(new SharedArrayBuffer(4 * SLOT.SIZE * count)) : undefined;
    const counter = pool.counter;
    await Promise.all(ports.map((_, i) => pool.run(i, { type: 'init', module, memory, counter, ...(control ? { control, slot: SLOT.SIZE * i, slotSize: SLOT.SIZE } : {}) })));
    pool.control = control;
    return pool;
  }

  /** The chunk counter shared with every worker (threads need shared memory, so it exists wherever a pool does). */
  private readonly counter = new Int32Array(new SharedArrayBuffer(64));

  /**
   * One call over n elements in chunks that the calling thread and every worker take from a
   * shared counter until none is left, so a core that runs slower (a busy neighbour on a VM, a
   * small core) simply takes fewer. `take(chunkIndex, start, count)` runs the caller's share.
   * Each chunk is done once, by whichever thread took it, and its results depend only on its
   * index, so nothing depends on timing. Node's workers get the job through their control slots
   * (the call blocks until all is done); browsers' through messages.
   */
  async chunks(type: 'forwardChunks' | 'backwardChunks', args: readonly number[], n: number, chunk: number, take: (index: number, start: number, count: number) => void): Promise<void> {
    const counter = this.counter;
    Atomics.store(counter, 0, 0);
    const jobArgs = [...args, chunk];
    const jobs = this.direct ? undefined : this.ports.map((_, i) => this.run(i, { type, args: jobArgs }));
    if (this.direct) for (let i = 0; i < this.ports.length; i++) this.start(i, type, jobArgs);
    let failed = false;
    let failure: unknown;
    try {
      for (;;) {
        const index = Atomics.add(counter, 0, 1);
        const start = index * chunk;
        if (start >= n) break;
        take(index, start, Math.min(chunk, n - start));
      }
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      // Every worker is joined, also after one failed: a worker left unjoined would still hold its
      // failure (and the job) when the next call starts.
      if (jobs === undefined) {
        for (let i = 0; i < this.ports.length; i++) {
          try {
            this.join(i);
          } catch (error) {
            if (!failed) {
              failed = true;
              failure = error;
            }
          }
        }
      }
    }
    // Messages: every worker has finished (or failed) before the call returns, whatever happened here.
    const settled = jobs === undefined ? [] : await Promise.allSettled(jobs);
    if (failed) throw failure;
    for (const job of settled) if (job.status === 'rejected') throw job.reason;
  }

  /** Control slots (Node): hands worker `index` a job through its control slot; `join(index)` waits for it. */
  start(index: number, type: JobType, args: number[]): void {
    const control = this.control;
    if (control === undefined || index >= this.ports.length) throw new Error(`no direct worker ${index}`);
    if (args.length > SLOT.MAX_ARGS) throw new Error(`a worker job takes at most ${SLOT.MAX_ARGS} arguments`);
    const base = SLOT.SIZE * index;
    control[base + SLOT.TYPE] = JOB_KINDS[type];
    control[base + SLOT.NARGS] = args.length;
    args.forEach((value, i) => (control[base + SLOT.ARGS + i] = value));
    Atomics.add(control, base + SLOT.SEQ, 1);
    Atomics.notify(control, base + SLOT.SEQ);
  }

  /** Control slots (Node): blocks until worker `index` has finished the job `start` gave it. */
  join(index: number): void {
    const control = this.control as Int32Array;
    const base = SLOT.SIZE * index;
    const seq = Atomics.load(control, base + SLOT.SEQ);
    // The worker's share ends about when ours does: poll briefly before sleeping (a wake-up
    // costs ~40 µs on a VM).
    const spinUntil = performance.now() + 0.5;
    while (Atomics.load(control, base + SLOT.DONE) !== seq && performance.now() < spinUntil) {}
    const deadline = Date.now() + JOIN_LIMIT_MS;
    for (;;) {
      const done = Atomics.load(control, base + SLOT.DONE);
      if (done === seq) break;
      Atomics.wait(control, base + SLOT.DONE, done, 1000);
      if (Date.now() > deadline) throw new ApaluEnvironmentError('E_WORKER', `@apalu/wasm worker ${index} did not finish within ${JOIN_LIMIT_MS / 1000} s`);
    }
    const failed = Atomics.exchange(control, base + SLOT.FAILED, 0);
    if (failed !== 0) {
      const text = String.fromCharCode(...control.subarray(base + SLOT.ERROR, base + SLOT.ERROR + failed - 1));
      throw new ApaluEnvironmentError('E_WORKER', `@apalu/wasm worker ${index} failed: ${text}`);
    }
  }

  /** Sends one job to worker `index` and resolves when it has finished. */
  run(index: number, message: WorkerMessage): Promise<void> {
    const port = this.ports[index];
    if (port === undefined) return Promise.reject(new Error(`no worker ${index}`));
    const id = this.nextId++;
    if (this.busy++ === 0) for (const p of this.ports) p.hold(true);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      port.post({ ...message, id });
    });
  }

  private settle(reply: Reply): void {
    const job = this.pending.get(reply.id);
    if (job === undefined) return;
    this.pending.delete(reply.id);
    if (--this.busy === 0) for (const p of this.ports) p.hold(false);
    if (reply.error === undefined) job.resolve();
    else job.reject(new ApaluEnvironmentError('E_WORKER', `@apalu/wasm worker failed: ${reply.error}`));
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
    this.busy = 0;
  }

  async terminate(): Promise<void> {
    this.failAll(new ApaluInputError('E_DISPOSED', 'the backend was disposed while a call was running; create a new one with createBackend().'));
    await Promise.all(this.ports.map((p) => p.terminate()));
  }
}
