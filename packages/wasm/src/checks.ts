import { ApaluInputError } from '@apalu/core';

/**
 * True when the array's buffer has been transferred or detached: its length then reads 0,
 * which would otherwise pass every length check and yield an empty result.
 */
export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (view.byteLength !== 0 || buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Rejects detached typed arrays (x, dy, a, b) with a message that names the value. */
export function assertAttached(name: string, value: unknown): void {
  if (ArrayBuffer.isView(value) && isDetached(value)) {
    throw new ApaluInputError(
      'E_DETACHED',
      `${name} is a ${value.constructor.name} whose ArrayBuffer is detached (transferred to a worker or by structuredClone): ` +
        `its contents are gone; pass a live array (keep a copy before transferring).`,
    );
  }
}

/** The backend computes in float32: x and dy must be Float32Array (core accepts Float64Array too). */
export function assertFloat32(name: string, value: unknown): void {
  if (value instanceof Float64Array) {
    throw new ApaluInputError(
      'E_TYPE',
      `${name} is a Float64Array: the WebAssembly kernels compute in float32; pass Float32Array.from(${name}) ` +
        `(or use @apalu/core's forward/backward for float64).`,
    );
  }
}
