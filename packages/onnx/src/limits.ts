/**
 * Checks of a backend call that @apalu/core's `validateCall` does not make (yet): x and dy must be
 * live Float32Arrays, a missing dy is E_TYPE, and no input may sit on a detached buffer or out of
 * bounds of a shrunk resizable buffer (the SPEC.md shipped in @apalu/core, call contract points 1, 2).
 * Plus the largest call onnxruntime-web's WebAssembly memory can finish (point 5).
 */
import { ApaluInputError } from '@apalu/core';
import type { OrtRuntime } from './session.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (missing)';
  if (Array.isArray(value)) return `an array of ${value.length} values`;
  if (ArrayBuffer.isView(value)) return `a ${(value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? 'DataView'}`;
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value)})` : `${typeof value} ${String(value)}`;
}

const isFloat32Array = (v: unknown): v is Float32Array => ArrayBuffer.isView(v) && (v as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Float32Array';

/** True when a typed array's buffer is detached or the view is out of bounds (both make %TypedArray%.prototype.at throw). */
function isDead(v: ArrayBufferView): boolean {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return false;
  try {
    (v as unknown as { at(i: number): unknown }).at(0);
    return false;
  } catch {
    return true;
  }
}

export function checkCallArrays(pass: 'forward' | 'backward', x: unknown, a: unknown, b: unknown, dy: unknown): void {
  const arrays: [string, unknown][] = pass === 'backward' ? [['x', x], ['dy', dy]] : [['x', x]];
  for (const [name, v] of arrays) {
    if (!isFloat32Array(v)) {
      throw new ApaluInputError(
        'E_TYPE',
        `${name} = ${describe(v)}: ${pass}() takes ${name} as a Float32Array (results are float32); pass Float32Array.from(${name})${v === undefined || v === null ? `, and pass ${name} at all (backward(x, dy, a, b, layout?))` : ''}.`,
      );
    }
  }
  for (const [name, v] of [['x', x], ['dy', dy], ['a', a], ['b', b]] as const) {
    if (ArrayBuffer.isView(v) && isDead(v)) {
      throw new ApaluInputError('E_DETACHED', `${name}'s buffer is detached (transferred or closed) or ${name} is out of bounds of a shrunk resizable buffer; pass a live Float32Array.`);
    }
  }
}

export interface LargestCall {
  forward: number;
  backward: number;
}

/**
 * The longest x each pass of the onnxruntime-web backend finishes, measured with onnxruntime-web
 * 1.30's wasm build (32-bit, 4 GiB of memory at most) on the graphs of this version: the session
 * holds x (and dy), the outputs and the intermediate tensors the graph keeps alive at once. Calls
 * above fail inside onnxruntime ("std::bad_alloc", or an abort that can leave the runtime unusable).
 */
export const ORT_WEB_LARGEST_CALL: LargestCall = { forward: 2 ** 28, backward: 2 ** 25 };

/**
 * The size limit for a runtime: onnxruntime-web (default, or a given module that reports
 * `env.versions.web`) has it; onnxruntime-node and unknown runtimes are not limited here.
 */
export function largestCall(options: { runtime?: OrtRuntime }, ort: OrtRuntime): LargestCall | undefined {
  if (options.runtime === undefined) return ORT_WEB_LARGEST_CALL;
  const versions = ort.env.versions;
  return versions?.node === undefined && versions?.web !== undefined ? ORT_WEB_LARGEST_CALL : undefined;
}
