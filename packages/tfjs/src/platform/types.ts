/** The Platform interface: what the Node and browser builds of createBackend do differently (backend loading, navigator.gpu, memory). */
import type { TfBackendName } from '../backend-options.js';

/**
 * What differs between the Node build and the browser build of `createBackend`: how a missing
 * tfjs backend package and a missing `navigator.gpu` are handled.
 */
export interface Platform {
  /** Makes navigator.gpu exist where this platform can; resolves to whether it exists. */
  ensureNavigatorGpu(): Promise<boolean>;
  /** Registers the tfjs backend `name` (called only when tfjs has no factory for it yet). */
  loadBackend(name: TfBackendName, packageName: string): Promise<void>;
  /** The machine's memory in bytes where the platform can tell (the cpu backend's default size limit). */
  memoryBytes(): number | undefined;
}
