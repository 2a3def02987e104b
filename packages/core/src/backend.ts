/** The ApaluBackend interface every @apalu backend implements, and core's own float64-then-round reference backend. */
import { backward, forward } from './arrays.js';
import { validateBackwardCall, validateForwardCall } from './validate.js';

/** The accuracy classes of this package's SPEC.md. */
export type AccuracyClass = 'strict' | 'composed';

/** How a flat input maps to channels: inner size S (1 for channels-last, H·W for channels-first). */
export interface ApaluLayout {
  inner?: number;
}

/** Gradients returned by a backend's backward pass (da, db have length C). */
export interface ApaluGradients {
  dx: Float32Array;
  da: Float32Array;
  db: Float32Array;
}

/** The one interface every @apalu backend implements (the contract: this package's SPEC.md). */
export interface ApaluBackend {
  /** A stable, descriptive name, e.g. "wasm-simd" or "tfjs-wasm-kernel". */
  readonly name: string;
  /** The SPEC accuracy class the backend promises. */
  readonly accuracy: AccuracyClass;
  forward(x: Float32Array, a: Float32Array, b: Float32Array, layout?: ApaluLayout): Promise<Float32Array>;
  backward(x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, layout?: ApaluLayout): Promise<ApaluGradients>;
  dispose?(): Promise<void> | void;
}

/** What every backend package exports as `createBackend`. */
export type CreateBackend<Options = unknown> = (options?: Options) => Promise<ApaluBackend>;

/**
 * The reference backend: core's float64 math rounded once to float32 (strict class).
 * It is the baseline every other backend is compared against, not a fast path.
 */
export async function createBackend(): Promise<ApaluBackend> {
  return {
    name: 'core-reference',
    accuracy: 'strict',
    // async bodies run synchronously up to their first await: the inputs are read when the call is made.
    forward: async (x, a, b, layout) => {
      validateForwardCall(x, a, b, layout);
      return forward(x, a, b, { inner: layout?.inner });
    },
    backward: async (x, dy, a, b, layout) => {
      validateBackwardCall(x, dy, a, b, layout);
      return backward(x, dy, a, b, { inner: layout?.inner });
    },
  };
}
