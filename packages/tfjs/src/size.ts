/** The memory a call needs per element of x on each route, and the check that rejects an x too large for the tfjs backend. */
import { ApaluInputError } from '@apalu/core';
import type { TfBackendName } from './backend-options.js';

export type ApaluRoute = 'kernel' | 'composed';
export type Direction = 'forward' | 'backward';

/**
 * Peak bytes of tfjs tensors per element of x for one call (tf.profile's peakBytes, the same on
 * every backend; test/size.test.ts measures them and fails if a change grows them):
 * - kernel forward: x, y (4 + 4); backward: x, the saved copy of x, y, dy, dx (5 × 4);
 * - composed forward: x, the where mask, 1 + σ, the two branches and the result (26);
 *   backward: x, its saved copy, the saved 1 + σ, y, dy and the few intermediates the gradient
 *   holds at once (47; each is disposed as soon as it is used).
 */
export const TENSOR_BYTES_PER_ELEMENT: Readonly<Record<ApaluRoute, Readonly<Record<Direction, number>>>> = {
  kernel: { forward: 8, backward: 20 },
  composed: { forward: 26, backward: 47 },
};

/** What createBackend's calls add in JavaScript memory: the copy of the result (y, or dx) handed back. */
export const RESULT_COPY_BYTES_PER_ELEMENT = 4;

/** tfjs-backend-wasm's heap limit (its Emscripten build's getHeapMax(): 4 GiB − 64 KiB, a wasm32 memory). */
export const TFJS_WASM_HEAP_BYTES = 4294901760;

let wasmHeapBytes = TFJS_WASM_HEAP_BYTES;

/** Tests only: a smaller wasm heap limit, to reach the refusal with small tensors (undefined: the real one). */
export function setWasmHeapBytesForTests(bytes?: number): void {
  wasmHeapBytes = bytes ?? TFJS_WASM_HEAP_BYTES;
}

/** The resource one call of a tfjs backend must fit in, and how it is counted. */
export interface SizeLimit {
  /** What the bytes are, for the message ("tfjs-backend-wasm's 4 GiB heap"). */
  resource: string;
  bytes: number;
  /** Bytes per element of x on that resource, forward and backward. */
  perElement: Readonly<Record<Direction, number>>;
}

/**
 * The limits a call on `tfBackend` through `route` meets: the wasm backend's heap; on cpu the
 * memory budget (tensors live in JavaScript memory, plus the result copy); on webgpu the largest
 * GPU buffer one tensor of x's size takes, and the memory budget when one is given.
 */
export function sizeLimits(
  tfBackend: TfBackendName,
  route: ApaluRoute,
  memoryBytes: number | undefined,
  gpuBufferBytes?: number,
): SizeLimit[] {
  const tensors = TENSOR_BYTES_PER_ELEMENT[route];
  const limits: SizeLimit[] = [];
  if (tfBackend === 'wasm') {
    limits.push({ resource: "tfjs-backend-wasm's heap (4 GiB − 64 KiB at most, wasm32)", bytes: wasmHeapBytes, perElement: tensors });
  }
  if (tfBackend === 'webgpu' && gpuBufferBytes !== undefined) {
    limits.push({ resource: "the GPU's largest storage buffer (maxStorageBufferBindingSize, maxBufferSize)", bytes: gpuBufferBytes, perElement: { forward: 4, backward: 4 } });
  }
  if (memoryBytes !== undefined) {
    const copy = RESULT_COPY_BYTES_PER_ELEMENT;
    limits.push({
      resource: tfBackend === 'cpu' ? 'memory (memoryLimitBytes; default: the machine\'s memory on Node)' : 'memory (memoryLimitBytes)',
      bytes: memoryBytes,
      perElement: tfBackend === 'cpu' ? { forward: tensors.forward + copy, backward: tensors.backward + copy } : tensors,
    });
  }
  return limits;
}

/** The largest x.length every limit admits for `direction`. */
export function largestLength(limits: readonly SizeLimit[], direction: Direction): number {
  let n = Number.MAX_SAFE_INTEGER;
  for (const limit of limits) n = Math.min(n, Math.floor(limit.bytes / limit.perElement[direction]));
  return n;
}

/**
 * Refuses (E_TOO_LARGE) a call of n elements that would not fit a limit, before anything is
 * allocated, naming x.length and the largest lengths this route takes (@apalu/core's SPEC.md,
 * the call contract, point 5).
 */
export function checkLength(n: number, direction: Direction, limits: readonly SizeLimit[], what: string): void {
  for (const limit of limits) {
    const need = n * limit.perElement[direction];
    if (need <= limit.bytes) continue;
    throw new ApaluInputError(
      'E_TOO_LARGE',
      `x.length = ${n} is too large for ${what} ${direction}: it needs about ${limit.perElement[direction]} bytes per element (${need} bytes) of ${limit.resource}, which holds ${limit.bytes} bytes. ` +
        `It takes x.length up to ${largestLength(limits, 'forward')} for forward and ${largestLength(limits, 'backward')} for backward; ` +
        'split the call into chunks along the outer dimension (whole multiples of C·inner)' +
        (limit.resource.startsWith('memory') ? ' or raise memoryLimitBytes.' : '.'),
    );
  }
}
