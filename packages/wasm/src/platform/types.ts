// What a platform provides the backend (how workers start, how many threads 'auto' means) and a started worker's port.
import type { Reply, WorkerMessage } from '../worker/protocol.js';

export type { Reply };

/** One started worker, as the pool drives it. */
export interface WorkerPort {
  post(message: WorkerMessage & { id: number }): void;
  terminate(): Promise<unknown> | void;
  /** On Node only, keeps the process alive while a job runs, not while the worker idles. */
  hold(active: boolean): void;
}

/**
 * The only code that differs between the Node build (src/index.ts) and the browser build
 * (src/index.browser.ts); everything else is shared. Each entry binds its platform.
 */
export interface Platform {
  /**
   * Whether workers take jobs through shared control slots and `Atomics.wait` (the calling
   * thread blocks until they finish): Node. Browsers use messages (a page's main thread may not wait).
   */
  readonly direct: boolean;
  /** The thread count `threads: 'auto'` means. */
  availableThreads(): number;
  /** Why no worker can be started here (the backend then runs on one thread and says so), or undefined. */
  workersUnavailable(): string | undefined;
  /** Starts `count` workers running the worker body (src/worker/body.ts, bundled to a string by scripts/build-worker.mjs). */
  startWorkers(count: number, onReply: (reply: Reply) => void, onError: (error: Error) => void): WorkerPort[];
}
