/** createBackend of @apalu/webgpu: the Float32Array ApaluBackend that validates, uploads, runs the WGSL kernels and reads back. */
import {
  type ApaluBackend,
  type ApaluGradients,
  type ApaluLayout,
  ApaluInputError,
  float32Params,
  validateBackwardCall,
  validateForwardCall,
} from '@apalu/core';
import { type DeviceRequest, requestApaluDevice } from './device.js';
import { FREE_OR_SPLIT, inErrorScopes, scopeError } from './error-scopes.js';
import { ApaluGpuError } from './errors.js';
import { BufferUsage } from './buffers.js';
import { type ApaluGpuRunner, getRunner } from './runner.js';

export interface WebGpuBackendOptions extends DeviceRequest {
  /**
   * Run on this device (e.g. the one your renderer or tfjs uses). The backend never destroys
   * a device it was given. Without it, the backend requests its own and destroys it in dispose().
   */
  device?: GPUDevice;
  /**
   * How long `dispose()` waits for the calls made before it, in milliseconds (default 60,000).
   * Past it, `dispose()` resolves anyway and destroys its own device, so calls still running
   * reject with E_DEVICE_LOST.
   */
  disposeTimeout?: number;
}

/** The backend object: the ApaluBackend interface plus the device and runner it uses. */
export interface WebGpuBackend extends ApaluBackend {
  readonly runner: ApaluGpuRunner;
  readonly device: GPUDevice;
  /**
   * Refuses new calls at once (E_DISPOSED), lets the calls already made finish (up to
   * `disposeTimeout`), then destroys the device if the backend requested it. Calling it again
   * returns the same promise.
   */
  dispose(): Promise<void>;
}

/** Elements per synchronous copy when an input cannot be handed to writeBuffer as it is. */
const COPY_CHUNK = 1 << 20;

/**
 * Copies `data` into `buffer` now (writeBuffer copies synchronously). A SharedArrayBuffer (or any
 * buffer that is not a plain ArrayBuffer of this realm) goes through a bounded plain copy: Dawn's
 * writeBuffer takes no SharedArrayBuffer ("no overload matched for writeBuffer").
 */
function writeNow(queue: GPUQueue, buffer: GPUBuffer, data: Float32Array): void {
  if (data.buffer instanceof ArrayBuffer) {
    queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return;
  }
  const scratch = new Float32Array(Math.min(data.length, COPY_CHUNK));
  for (let start = 0; start < data.length; start += scratch.length) {
    const count = Math.min(scratch.length, data.length - start);
    scratch.set(data.subarray(start, start + count));
    queue.writeBuffer(buffer, start * 4, scratch.buffer, 0, count * 4);
  }
}

function checkTimeout(value: unknown): number {
  if (value === undefined) return 60_000;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new ApaluInputError('E_OPTION', `disposeTimeout = ${String(value)}: must be a finite number of milliseconds ≥ 0 (default 60000).`);
}

/**
 * The Float32Array convenience API: validates, uploads, runs the kernels, reads back.
 * Strict accuracy class and the call contract of the SPEC.md shipped in @apalu/core (section 7):
 * inputs are validated, then uploaded synchronously inside the call, before it returns.
 */
export async function createBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const disposeTimeout = checkTimeout(options.disposeTimeout);
  const owned = options.device === undefined;
  const device = options.device ?? (await requestApaluDevice(options));
  const runner = getRunner(device);
  const inFlight = new Set<Promise<unknown>>();
  let disposing: Promise<void> | undefined;

  /** Contract 6: refuses calls after dispose(); tracks the accepted ones so dispose() can wait for them. */
  const accept = <T>(call: () => Promise<T>): Promise<T> => {
    if (disposing !== undefined) {
      return Promise.reject(new ApaluInputError('E_DISPOSED', 'This @apalu/webgpu backend was disposed; create a new one with createBackend().'));
    }
    const promise = call(); // an async function: runs synchronously up to its first await
    inFlight.add(promise);
    const done = () => inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  };

  /**
   * Copies the call's arrays to new GPU buffers synchronously (contract 3), inside error scopes of
   * their own that are pushed and popped without yielding, whatever throws in between, so an upload
   * error is this call's error. On any failure every buffer made here is destroyed.
   */
  const stage = (arrays: readonly (readonly [Float32Array, string])[]): { buffers: GPUBuffer[]; ready: Promise<void>; destroy(): void } => {
    const buffers: GPUBuffer[] = [];
    const { failed, thrown, errors } = inErrorScopes(device, () => {
      for (const [data, label] of arrays) {
        const buffer = device.createBuffer({ label, size: Math.max(4, data.byteLength), usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
        buffers.push(buffer);
        if (data.length > 0) writeNow(device.queue, buffer, data);
      }
    });
    const destroy = () => {
      for (const buffer of buffers.splice(0)) buffer.destroy();
    };
    if (failed) {
      destroy();
      errors.catch(() => undefined);
      throw new ApaluGpuError('E_GPU_VALIDATION', `Uploading the inputs failed: ${(thrown as Error)?.message ?? String(thrown)}`, { cause: thrown });
    }
    const ready = errors.then((caught) => {
      const error = scopeError(caught, { during: 'uploading the inputs', advice: FREE_OR_SPLIT });
      if (error === undefined) return;
      runner.assertAlive();
      throw error;
    });
    return { buffers, ready, destroy };
  };

  return {
    name: 'webgpu',
    accuracy: 'strict',
    runner,
    device,
    forward(x, a, b, layout?: ApaluLayout) {
      return accept(async () => {
        // Everything up to the first await runs inside the call (contracts 1–5).
        const { channels, inner } = validateForwardCall(x, a, b, layout);
        const { a: a32, b: b32 } = float32Params(a, b);
        const length = x.length;
        runner.assertAlive();
        if (length === 0) return new Float32Array(0);
        runner.assertFits(length, channels, inner, false);
        const staged = stage([[x, 'apalu-x'], [a32, 'apalu-a'], [b32, 'apalu-b']]);
        const [xb, ab, bb] = staged.buffers as [GPUBuffer, GPUBuffer, GPUBuffer];
        let y: GPUBuffer | undefined;
        try {
          await staged.ready;
          y = await runner.forward({ x: xb, a: ab, b: bb, length, channels, inner });
          return await runner.read(y, length);
        } finally {
          staged.destroy();
          y?.destroy();
        }
      });
    },
    backward(x, dy, a, b, layout?: ApaluLayout): Promise<ApaluGradients> {
      return accept(async () => {
        const { channels, inner } = validateBackwardCall(x, dy, a, b, layout);
        const { a: a32, b: b32 } = float32Params(a, b);
        const length = x.length;
        runner.assertAlive();
        if (length === 0) return { dx: new Float32Array(0), da: new Float32Array(channels), db: new Float32Array(channels) };
        runner.assertFits(length, channels, inner, true);
        const staged = stage([[x, 'apalu-x'], [dy as Float32Array, 'apalu-dy'], [a32, 'apalu-a'], [b32, 'apalu-b']]);
        const [xb, dyb, ab, bb] = staged.buffers as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
        let result: { dx: GPUBuffer; da: GPUBuffer; db: GPUBuffer } | undefined;
        try {
          await staged.ready;
          result = await runner.backward({ x: xb, dy: dyb, a: ab, b: bb, length, channels, inner });
          const [dx, da, db] = await Promise.all([runner.read(result.dx, length), runner.read(result.da, channels), runner.read(result.db, channels)]);
          return { dx, da, db };
        } finally {
          staged.destroy();
          if (result) for (const buffer of Object.values(result)) buffer.destroy();
        }
      });
    },
    dispose() {
      if (disposing !== undefined) return disposing;
      const pending = [...inFlight];
      disposing = (async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const bound = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, disposeTimeout);
        });
        await Promise.race([Promise.allSettled(pending), bound]);
        clearTimeout(timer);
        if (owned) device.destroy();
      })();
      return disposing;
    },
  };
}
