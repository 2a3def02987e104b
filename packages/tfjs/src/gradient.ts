/** The tfjs gradient of the Apalu kernel: one fused ApaluGrad kernel call gives dx, da and db. */
import * as tf from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from './names.js';
import { checkLength, sizeLimits } from './size.js';

/**
 * The gradient of the Apalu kernel: one fused ApaluGrad kernel call gives dx, da and db
 * together, instead of three passes over x.
 */
export const apaluGradConfig: tf.GradConfig = {
  kernelName: APALU_KERNEL,
  inputsToSave: ['x', 'a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [x, a, b] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    if (tf.getBackend() === 'wasm') checkLength(x.size, 'backward', sizeLimits('wasm', 'kernel', undefined), 'the Apalu gradient (kernel path) on tfjs-wasm');
    // The forward's attributes (precision) carry over to the fused backward.
    const [dx, da, db] = tf.engine().runKernel(APALU_GRAD_KERNEL, { dy: dy as tf.Tensor, x, a, b }, attrs ?? {}) as tf.Tensor[];
    return { x: () => dx as tf.Tensor, a: () => da as tf.Tensor, b: () => db as tf.Tensor };
  },
};
