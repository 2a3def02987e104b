import { type ApaluBackend, ApaluInputError, validateCall } from '@apalu/core';
import { precisionCode } from '@apalu/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_PACKAGES, type TfBackendName, type TfjsBackendOptions } from './backend-options.js';
import { withCpuKernelEngine } from './kernels/cpu-engine.js';
import { apalu } from './op.js';
import type { Platform } from './platform/types.js';
import { hasApaluKernel } from './register.js';

export type { TfBackendName, TfjsBackendOptions };

/** Registers the tfjs backend (through the platform) when nothing registered it yet, and switches to it. */
async function useBackend(platform: Platform, name: TfBackendName): Promise<void> {
  if (name === 'webgpu') await platform.ensureNavigatorGpu();
  if (tf.findBackendFactory(name) === null || tf.findBackendFactory(name) === undefined) {
    await platform.loadBackend(name, BACKEND_PACKAGES[name]);
  }
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
    throw new ApaluInputError('E_BACKEND', `tfjs could not initialise its '${name}' backend${name === 'webgpu' ? ' (no WebGPU adapter: navigator.gpu is missing or offers none)' : ''}.`);
  }
  await tf.ready();
}

/**
 * Makes `name` the active tfjs backend before the caller computes, without yielding: another
 * backend's call may have switched tfjs while this one awaited `useBackend`. tfjs switches to an
 * initialised backend synchronously (setBackend's body runs to the end before its first await).
 */
function activate(name: TfBackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new ApaluInputError('E_BACKEND', `tfjs did not switch to its '${name}' backend; await tf.ready() and retry.`);
}

/** Shapes the flat call (@apalu/core's SPEC.md layout) as x: [N/(C·S), C, S] and a, b: [C, 1], which the op maps back to (C, S). */
function shaped(x: Float32Array, a: Float32Array, b: Float32Array, inner: number) {
  const c = a.length;
  return {
    x: tf.tensor3d(x, [x.length / (c * inner), c, inner], 'float32'),
    a: tf.tensor2d(a, [c, 1], 'float32'),
    b: tf.tensor2d(b, [c, 1], 'float32'),
  };
}

/**
 * `createBackend` on one platform (the package's Node and browser entries each pass theirs):
 * the ApaluBackend of @apalu/core for the conformance kit and apps, APALU through tfjs on the
 * chosen backend and path. Inputs are validated with @apalu/core before any tensor is made.
 */
export async function createBackendOn(platform: Platform, options: TfjsBackendOptions = {}): Promise<ApaluBackend> {
  const { tfBackend = 'cpu', path = 'kernel', precision = 'strict', cpuEngine } = options;
  if (!Object.hasOwn(BACKEND_PACKAGES, tfBackend)) throw new ApaluInputError('E_BACKEND', `tfBackend = ${String(tfBackend)}: use 'cpu', 'wasm' or 'webgpu'.`);
  if (path !== 'kernel' && path !== 'composed') throw new ApaluInputError('E_PATH', `path = ${String(path)}: use 'kernel' or 'composed'.`);
  precisionCode(precision);
  // Checks the value (and that 'wasm' can run here) without changing the process-wide choice.
  withCpuKernelEngine(cpuEngine, () => undefined);
  const op = { path, precision } as const;
  const withEngine = <T>(f: () => T): T => withCpuKernelEngine(cpuEngine, f);
  await useBackend(platform, tfBackend);
  if (path === 'kernel' && !hasApaluKernel(tfBackend)) {
    throw new ApaluInputError('E_PATH', `no Apalu kernel is registered for tfjs backend '${tfBackend}'; use path 'composed'.`);
  }
  return {
    name: `tfjs-${tfBackend}-${path}${precision === 'fast' ? '-fast' : ''}${cpuEngine === 'js' ? '-js' : ''}`,
    // 'fast' changes only the kernels that run @apalu/wasm, but the class a caller asked for is the one checked.
    accuracy: path === 'kernel' && precision === 'strict' ? 'strict' : 'composed',
    async forward(x, a, b, layout) {
      const { inner } = validateCall(x, a, b, layout?.inner);
      await useBackend(platform, tfBackend);
      activate(tfBackend);
      const y = withEngine(() => tf.tidy(() => {
        const t = shaped(x, a, b, inner);
        return apalu(t.x, t.a, t.b, op);
      }));
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return Float32Array.from(out);
    },
    async backward(x, dy, a, b, layout) {
      const { inner } = validateCall(x, a, b, layout?.inner, dy);
      await useBackend(platform, tfBackend);
      activate(tfBackend);
      const grads = withEngine(() => tf.tidy(() => {
        const t = shaped(x, a, b, inner);
        const g = tf.tensor3d(dy, t.x.shape, 'float32');
        return tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, op))([t.x, t.a, t.b], g);
      }));
      const [dx, da, db] = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
      tf.dispose(grads);
      return { dx: Float32Array.from(dx as Float32Array), da: Float32Array.from(da as Float32Array), db: Float32Array.from(db as Float32Array) };
    },
  };
}
