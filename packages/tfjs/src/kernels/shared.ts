/** Helpers the tfjs kernels share: the (C, S) layout of a kernel call, tensor sizes, and a tensor's values as a Float32Array. */
import { ApaluInputError, type ResolvedLayout } from '@apalu/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { paramLayout } from '../layout.js';

/** The (C, S) layout of one kernel call; the op only dispatches shapes that have one. */
export function kernelLayout(x: TensorInfo, a: TensorInfo, b: TensorInfo): ResolvedLayout {
  for (const [name, t] of [['x', x], ['a', a], ['b', b]] as const) {
    if (t.dtype !== 'float32') {
      throw new ApaluInputError('E_TYPE', `${name} has dtype ${t.dtype}: the Apalu kernel computes on float32 tensors; cast with tf.cast(${name}, 'float32').`);
    }
  }
  if (a.shape.join() !== b.shape.join()) {
    throw new ApaluInputError('E_SHAPE', `a has shape [${a.shape.join(', ')}] but b has shape [${b.shape.join(', ')}]: a and b must have the same shape.`);
  }
  const layout = paramLayout(x.shape, a.shape);
  if (layout === null) {
    throw new ApaluInputError(
      'E_LAYOUT',
      `parameters of shape [${a.shape.join(', ')}] on x of shape [${x.shape.join(', ')}] do not map to one (C, S) layout; ` +
        'call apalu() (it routes such shapes to the composed path) instead of the kernel.',
    );
  }
  return layout;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A tensor's values as a Float32Array. tfjs-backend-cpu's lossless Cast to float32 keeps the
 * source's Int32Array or Uint8Array as storage, so a float32 tensor can hold either.
 */
export function asFloat32(values: unknown): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}
