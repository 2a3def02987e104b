/** The apalu op on tfjs tensors: the registered Apalu kernel where there is one and the layout maps, else the composed tfjs ops. */
import { ApaluInputError, validateParams } from '@apalu/core';
import { type Precision, precisionCode } from '@apalu/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { apaluComposed } from './composed.js';
import { paramLayout } from './layout.js';
import { checkSameTfjs } from './foreign.js';
import { APALU_KERNEL } from './names.js';
import { hasApaluKernel } from './register.js';
import { checkLength, sizeLimits } from './size.js';

export type ApaluPath = 'auto' | 'kernel' | 'composed';
export type { Precision };

export interface ApaluOptions {
  /** 'auto' (default): the fused kernel where the backend has one, else tfjs ops; see `apalu`. */
  path?: ApaluPath;
  /**
   * 'strict' (default): ≤ 2 ULP. 'fast': the wasm and cpu kernels run @apalu/wasm's float32-only
   * SIMD loops, the composed class like tf.elu (≈ 1.7× faster backward, 1.1× forward); the
   * webgpu kernel, the cpu kernels' 'js' engine and the composed path compute the same either way.
   */
  precision?: Precision;
}

function toTensor(name: string, value: tf.Tensor | tf.TensorLike): tf.Tensor {
  // Before tfjs's own conversion, which fails on another copy's tensor with an internal message.
  checkSameTfjs(name, value);
  const t = value instanceof tf.Tensor ? value : tf.tensor(value as tf.TensorLike);
  if (t.dtype !== 'float32') {
    throw new ApaluInputError('E_TYPE', `${name} has dtype ${t.dtype}: APALU is defined on float32 tensors; cast with tf.cast(${name}, 'float32').`);
  }
  return t;
}

/**
 * APALU, f(x) = a·x·(1 + σ(1.702x)) for x ≥ 0 and b·(eˣ − 1) for x < 0, with a and b of the
 * same shape broadcasting into x (shape [C] for channels-last data, like tf.prelu's alpha).
 *
 * Runs the registered `Apalu` kernel (gradient: the fused `ApaluGrad`) when the backend has
 * one and the parameter shape maps to a (C, S) layout; otherwise composes tfjs ops.
 * `path` forces one route ('kernel' throws where there is no kernel); `precision` (see
 * ApaluOptions) picks the wasm kernel's accuracy class. A string is taken as the path.
 */
export function apalu<T extends tf.Tensor>(
  x: T | tf.TensorLike,
  a: tf.Tensor | tf.TensorLike,
  b: tf.Tensor | tf.TensorLike,
  options: ApaluPath | ApaluOptions = 'auto',
): T {
  return apaluOp(x, a, b, options) as T;
}

function apalu_(x: tf.Tensor | tf.TensorLike, a: tf.Tensor | tf.TensorLike, b: tf.Tensor | tf.TensorLike, options: ApaluPath | ApaluOptions): tf.Tensor {
  const { path = 'auto', precision = 'strict' } = typeof options === 'string' ? { path: options } : options;
  if (path !== 'auto' && path !== 'kernel' && path !== 'composed') {
    throw new ApaluInputError('E_PATH', `path = ${JSON.stringify(path)}: use 'auto', 'kernel' or 'composed'.`);
  }
  precisionCode(precision);
  const $x = toTensor('x', x);
  const $a = toTensor('a', a);
  const $b = toTensor('b', b);
  if ($a.shape.join() !== $b.shape.join()) {
    throw new ApaluInputError('E_SHAPE', `a has shape [${$a.shape.join(', ')}] but b has shape [${$b.shape.join(', ')}]: a and b must have the same shape.`);
  }
  const layout = paramLayout($x.shape, $a.shape);
  // tfjs's own ops handle empty tensors; there is nothing for a kernel to do — but a and b are
  // checked first, as for any other x.
  if ($x.size === 0) {
    if ($a.size === 0) throw new ApaluInputError('E_CHANNELS', `a and b are empty (shape [${$a.shape.join(', ')}]): APALU needs at least one (a, b) pair.`);
    if (tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm') validateParams($a.dataSync(), $b.dataSync());
    return apaluComposed($x, $a, $b);
  }
  const kernel = layout !== null && hasApaluKernel();
  if (path === 'kernel' && !kernel) {
    throw new ApaluInputError(
      'E_PATH',
      `path 'kernel' but ${layout === null ? `a's shape [${$a.shape.join(', ')}] has no (C, S) layout on x's shape [${$x.shape.join(', ')}]` : `backend '${tf.getBackend()}' has no Apalu kernel`}; use path 'auto' or 'composed'.`,
    );
  }
  const route = kernel && path !== 'composed' ? 'kernel' : 'composed';
  // tfjs-backend-wasm's heap is at most 4 GiB: refuse a call it cannot hold before allocating (cpu and GPU backends: see createBackend's limits).
  if (tf.getBackend() === 'wasm') checkLength($x.size, 'forward', sizeLimits('wasm', route, undefined), `apalu (${route} path) on tfjs-wasm`);
  if (route === 'kernel') return tf.engine().runKernel(APALU_KERNEL, { x: $x, a: $a, b: $b }, { precision }) as tf.Tensor;
  // Where a and b are in CPU-side memory (cpu, wasm) the composed path checks them like the
  // kernels do; on GPU backends that would cost a readback per call (see the README).
  if (tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm') validateParams($a.dataSync(), $b.dataSync());
  return apaluComposed($x, $a, $b);
}

// A tfjs op scope: tensors made from array inputs are disposed with the call (also when it throws).
const apaluOp = tf.op({ apalu_ });
