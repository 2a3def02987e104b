import { ensureNavigatorGpu } from '../src/platform/node-gpu.js';
import { tf } from './tf.js';

let ready: Promise<string | null> | undefined;

/**
 * Makes tfjs's webgpu backend available in Node (Dawn as navigator.gpu), then loads the
 * backend package. Resolves to null when ready, or the reason it is not. In CI a missing
 * adapter is an error, never a skip.
 */
export function webgpuUnavailable(): Promise<string | null> {
  ready ??= (async () => {
    try {
      if (!(await ensureNavigatorGpu())) throw new Error('navigator.gpu is missing and the `webgpu` package could not be loaded');
      await import('@tensorflow/tfjs-backend-webgpu');
      const previous = tf.getBackend();
      if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend (no adapter)');
      if (previous) await tf.setBackend(previous);
      return null;
    } catch (error) {
      const reason = `WebGPU unavailable: ${(error as Error).message}`;
      if (process.env.CI) throw new Error(`CI needs a WebGPU adapter (SwiftShader comes from test/global-setup.ts): ${reason}`);
      console.warn(`[@apalu/tfjs] skipping the webgpu tests: ${reason}`);
      return reason;
    }
  })();
  return ready;
}
