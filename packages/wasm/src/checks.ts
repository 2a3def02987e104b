import { ApaluInputError } from '@apalu/core';

// Contract points 1 and 2 (the SPEC.md shipped in @apalu/core) for the array calls. @apalu/core's
// validateCall is gaining the same checks for every backend; until it has them these keep wasm
// to the contract, and they run before it.

/** %TypedArray% and its prototype's `at`, which validates its receiver (detached or out of bounds → TypeError) without copying. */
const TypedArray = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayBufferView;
const typedAt = (TypedArray.prototype as { at: (this: ArrayBufferView, index: number) => unknown }).at;

/**
 * Why a typed array cannot be read, or undefined: 'detached' when its buffer was transferred
 * (its length then reads 0, which would pass every length check and yield an empty result),
 * 'out of bounds' when it is a fixed-length view over a resizable buffer shrunk below its end
 * (its length also reads 0).
 */
export function unreadable(view: ArrayBufferView): 'detached' | 'out of bounds' | undefined {
  const buffer = view.buffer as ArrayBufferLike & { detached?: boolean };
  if (buffer.detached === true) return 'detached';
  if (view.byteLength !== 0) return undefined;
  try {
    if (view instanceof TypedArray) typedAt.call(view, 0);
    else new Uint8Array(buffer);
    return undefined;
  } catch {
    // Node 20 has no ArrayBuffer.prototype.detached: a detached buffer cannot be viewed at all.
    try {
      new Uint8Array(buffer);
    } catch {
      return 'detached';
    }
    return 'out of bounds';
  }
}

/** Rejects a detached or out-of-bounds typed array (x, dy, a, b) with E_DETACHED, naming it. */
export function assertReadable(name: string, value: unknown): void {
  if (!ArrayBuffer.isView(value)) return;
  const why = unreadable(value);
  if (why === 'detached') {
    throw new ApaluInputError(
      'E_DETACHED',
      `${name}'s buffer is detached (transferred or closed): ${name} is a ${value.constructor.name} whose ArrayBuffer was transferred ` +
        `(to a worker, by postMessage or structuredClone) and its contents are gone; pass a live Float32Array (keep a copy before transferring).`,
    );
  }
  if (why === 'out of bounds') {
    throw new ApaluInputError(
      'E_DETACHED',
      `${name} is out of bounds: ${name} is a ${value.constructor.name} over a resizable ArrayBuffer that was shrunk to ` +
        `${value.buffer.byteLength} bytes, below the end of ${name}; pass a live Float32Array (grow the buffer back or take a new view inside it).`,
    );
  }
}

const article = (name: string) => `${/^[AEIOUaeiou]/.test(name) ? 'an' : 'a'} ${name}`;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array(${value.length})`;
  if (ArrayBuffer.isView(value)) return article(value.constructor.name);
  return typeof value === 'object' ? article(value.constructor?.name ?? 'object') : `${typeof value} ${String(value)}`;
}

/** x and dy must be Float32Array (any view, shared or resizable buffer): the kernels compute in float32. */
export function assertFloat32(name: string, value: unknown): void {
  if (value instanceof Float32Array) return;
  if (value === undefined) {
    throw new ApaluInputError(
      'E_TYPE',
      `${name} is missing (undefined): backward(x, dy, a, b, layout?) needs the upstream gradient dy, a Float32Array of x.length elements; ` +
        `pass e.g. new Float32Array(x.length).fill(1).`,
    );
  }
  const extra = value instanceof Float64Array ? ` (or use @apalu/core's forward/backward for float64)` : '';
  throw new ApaluInputError(
    'E_TYPE',
    `${name} must be a Float32Array, got ${describe(value)}: the WebAssembly kernels compute in float32; pass Float32Array.from(${name})${extra}.`,
  );
}

/** Contract 1, 2 for forward (dy undefined, not checked) and backward (dy required). */
export function checkCallArrays(backward: boolean, x: unknown, a: unknown, b: unknown, dy?: unknown): void {
  const arrays: [string, unknown][] = backward ? [['x', x], ['dy', dy], ['a', a], ['b', b]] : [['x', x], ['a', a], ['b', b]];
  for (const [name, value] of arrays) assertReadable(name, value);
  assertFloat32('x', x);
  if (backward) assertFloat32('dy', dy);
}
