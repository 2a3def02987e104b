/** Detects detached or out-of-bounds typed arrays, which read as length 0, so a call rejects them by name instead. */
import { ApaluInputError } from './errors.js';

// Call contract points 1 and 2 (SPEC.md, "The call contract"): a backend call takes x and dy as
// live Float32Arrays; a view whose buffer was transferred, or that lies out of bounds of a shrunk
// resizable buffer, reads as length 0 and would otherwise pass every length check.

/** %TypedArray%.prototype.at validates its receiver (detached or out of bounds → TypeError) without copying. */
const TypedArray = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayBufferView;
const typedAt = (TypedArray.prototype as { at: (this: ArrayBufferView, index: number) => unknown }).at;

/** Why a typed array cannot be read ('detached', 'out of bounds'), or undefined when it can. */
export function unreadable(view: ArrayBufferView): 'detached' | 'out of bounds' | undefined {
  const buffer = view.buffer as ArrayBufferLike & { detached?: boolean };
  if (buffer.detached === true) return 'detached';
  if (view.byteLength !== 0) return undefined;
  try {
    if (view instanceof TypedArray) typedAt.call(view, 0);
    else new Uint8Array(buffer);
    return undefined;
  } catch {
    // Node 20 has no ArrayBuffer.prototype.detached; a detached buffer cannot be viewed at all.
    try {
      new Uint8Array(buffer);
    } catch {
      return 'detached';
    }
    return 'out of bounds';
  }
}

/** Rejects a detached or out-of-bounds typed array with E_DETACHED, naming it; anything else passes. */
export function assertReadable(name: string, value: unknown): void {
  if (!ArrayBuffer.isView(value)) return;
  const why = unreadable(value);
  if (why === 'detached') {
    throw new ApaluInputError(
      'E_DETACHED',
      `${name}'s buffer is detached: its ArrayBuffer was transferred (postMessage, structuredClone with transfer) and its contents are gone; ` +
        `pass a live array (keep a copy before transferring).`,
    );
  }
  if (why === 'out of bounds') {
    throw new ApaluInputError(
      'E_DETACHED',
      `${name} is out of bounds: it views a resizable ArrayBuffer that was shrunk below its end; grow the buffer back or pass a live array.`,
    );
  }
}
