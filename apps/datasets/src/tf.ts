// The one place that loads TensorFlow.js: the umbrella package, its wasm backend, the
// Apalu layer and the Conv2DBackpropFilter fill-in.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerApaluKernels } from '@apalu/tfjs';
import { registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';

export { tf };

export type TfBackend = 'wasm' | 'cpu';

export async function initTf(backend: TfBackend = 'wasm'): Promise<void> {
  registerConv2DBackpropFilterWasm();
  registerApaluKernels();
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tfjs backend '${backend}' failed to initialise (is @tensorflow/tfjs-backend-wasm 4.22.0 installed?).`);
  }
  await tf.ready();
}
