/** createBackend on a given platform: the ApaluBackend that runs APALU through tfjs on the chosen tfjs backend, kernel or composed path. */
import { type ApaluBackend, ApaluEnvironmentError, ApaluInputError, float32Params, validateBackwardCall, validateForwardCall } from '@apalu/core';
import { precisionCode } from '@apalu/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_PACKAGES, type TfBackendName, type TfjsBackendOptions } from './backend-options.js';
import { withCpuKernelEngine } from './kernels/cpu-engine.js';
import { apalu } from './op.js';
import type { Platform } from './platform/types.js';
import { hasApaluKernel } from './register.js';
import { probeStrict } from './kernels/webgl.js';
import { checkLength, sizeLimits } from './size.js';

export type { TfBackendName, TfjsBackendOptions };

/** The public fields of tfjs's engine this file reads and writes, and the one private it awaits. */
interface EngineState {
  backendName: string | null;
  registry: Record<string, unknown>;
  pendingBackendInit?: Promise<unknown> | null;
}
const engine = () => tf.engine() as unknown as EngineState;

/** Whether tfjs has an initialised instance of `name` (no side effect, unlike tf.findBackend). */
const initialised = (name: string) => engine().registry[name] !== undefined && engine().registry[name] !== null;

// tfjs keeps one pending asynchronous initialisation: a second one started meanwhile discards
// the first. Ours run one after another.
let initChain: Promise<unknown> = Promise.resolve();

/**
 * Registers (through the platform) and initialises the tfjs backend `name` without making it
 * the active one: the user's `tf.getBackend()` stays as it is (@apalu/core's SPEC.md, the call
 * contract, point 7).
 */
async function ensureBackend(platform: Platform, name: TfBackendName): Promise<void> {
  if (initialised(name)) return;
  if (name === 'webgpu') await platform.ensureNavigatorGpu();
  if (tf.findBackendFactory(name) === null || tf.findBackendFactory(name) === undefined) {
    await platform.loadBackend(name, BACKEND_PACKAGES[name]);
  }
  const init = initChain.then(async () => {
    for (let attempt = 0; attempt < 3 && !initialised(name); attempt++) {
      // findBackend initialises without switching: at once, or with a pending promise tfjs keeps.
      if (tf.findBackend(name) !== null && initialised(name)) return;
      const pending = engine().pendingBackendInit;
      if (pending === null || pending === undefined) return;
      await pending;
    }
  });
  initChain = init.catch(() => undefined);
  await init;
  if (!initialised(name)) {
    throw new ApaluEnvironmentError('E_BACKEND', `tfjs could not initialise its '${name}' backend${name === 'webgpu' ? ' (no WebGPU adapter: navigator.gpu is missing or offers none)' : name === 'webgl' ? ' (no WebGL context: this browser or page has none)' : ''}.`);
  }
}

/**
 * Runs `f` with `name` as the active tfjs backend and switches back to the backend that was
 * active before (none: none), all without yielding — so calls of several backends made together
 * each compute on their own, and the user never sees the switch. tfjs switches to an
 * initialised backend synchronously (setBackend's body runs to the end before its first await).
 */
function on<T>(name: TfBackendName, f: () => T): T {
  const before = engine().backendName;
  const restore = () => {
    if (engine().backendName === before) return;
    if (before !== null && before !== undefined && initialised(before)) tf.setBackend(before).catch(() => undefined);
    else if (before === null || before === undefined) {
      // Nothing was chosen before: tfjs picks its best backend on first use again.
      const e = engine() as EngineState & { backendInstance: unknown };
      e.backendName = null;
      e.backendInstance = null;
    }
  };
  if (before !== name) tf.setBackend(name).catch(() => undefined);
  try {
    if (engine().backendName !== name || tf.backend() !== engine().registry[name]) {
      throw new ApaluEnvironmentError('E_BACKEND', `tfjs did not switch to its '${name}' backend; await tf.ready() and retry.`);
    }
    return f();
  } finally {
    restore();
  }
}

/** The largest buffer the webgpu backend's device binds (undefined elsewhere, or where tfjs does not show its device). */
function gpuBufferBytes(name: TfBackendName): number | undefined {
  if (name !== 'webgpu') return undefined;
  const limits = (engine().registry[name] as { device?: { limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } } } | undefined)?.device?.limits;
  const sizes = [limits?.maxBufferSize, limits?.maxStorageBufferBindingSize].filter((v): v is number => typeof v === 'number');
  return sizes.length === 0 ? undefined : Math.min(...sizes);
}

let webglProbe: { backend: unknown; strict: boolean } | undefined;

/** Whether the webgl kernels compute in the strict class on this device (probed once per webgl backend instance). */
function webglStrict(): boolean {
  const instance = engine().registry.webgl;
  if (webglProbe !== undefined && webglProbe.backend === instance) return webglProbe.strict;
  const strict = on('webgl', () =>
    probeStrict((x, dy, a, b) => {
      const ts = tf.tidy(() => {
        const t = shaped(x, Float32Array.of(a), Float32Array.of(b), 1);
        const g = tf.tensor3d(dy, t.x.shape, 'float32');
        const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, 'kernel');
        return [f(t.x, t.a, t.b), ...tf.grads(f)([t.x, t.a, t.b], g)];
      });
      const values = ts.map((t) => t.dataSync() as Float32Array);
      tf.dispose(ts);
      return values;
    }),
  );
  webglProbe = { backend: instance, strict };
  return strict;
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
  const { tfBackend = 'cpu', path = 'kernel', precision = 'strict', cpuEngine, memoryLimitBytes } = options;
  if (memoryLimitBytes !== undefined && !(typeof memoryLimitBytes === 'number' && memoryLimitBytes > 0 && Number.isFinite(memoryLimitBytes))) {
    throw new ApaluInputError('E_OPTION', `memoryLimitBytes = ${String(memoryLimitBytes)}: give a positive number of bytes (e.g. 2 ** 32), or leave it out for the default.`);
  }
  if (!Object.hasOwn(BACKEND_PACKAGES, tfBackend)) throw new ApaluInputError('E_OPTION', `tfBackend = ${String(tfBackend)}: use 'cpu', 'wasm', 'webgpu' or 'webgl'.`);
  if (path !== 'kernel' && path !== 'composed') throw new ApaluInputError('E_PATH', `path = ${String(path)}: use 'kernel' or 'composed'.`);
  precisionCode(precision);
  // Checks the value (and that 'wasm' can run here) without changing the process-wide choice.
  withCpuKernelEngine(cpuEngine, () => undefined);
  const op = { path, precision } as const;
  const withEngine = <T>(f: () => T): T => withCpuKernelEngine(cpuEngine, f);
  await ensureBackend(platform, tfBackend);
  if (path === 'kernel' && !hasApaluKernel(tfBackend)) {
    throw new ApaluInputError('E_PATH', `no Apalu kernel is registered for tfjs backend '${tfBackend}'; use path 'composed'.`);
  }
  const limits = sizeLimits(tfBackend, path, memoryLimitBytes ?? (tfBackend === 'cpu' ? platform.memoryBytes() : undefined), gpuBufferBytes(tfBackend));
  // The webgl kernels are strict only where highp float is IEEE float32: a probe decides (kernels/webgl.ts).
  const strict = path === 'kernel' && precision === 'strict' && (tfBackend !== 'webgl' || webglStrict());
  const name = `tfjs-${tfBackend}-${path}${precision === 'fast' ? '-fast' : ''}${cpuEngine === 'js' ? '-js' : ''}`;
  return {
    name,
    // 'fast' changes only the kernels that run @apalu/wasm, but the class a caller asked for is the one checked.
    accuracy: strict ? 'strict' : 'composed',
    async forward(x, a, b, layout) {
      const { inner } = validateForwardCall(x, a, b, layout);
      checkLength(x.length, 'forward', limits, name);
      // Everything the call needs is copied before its first await (the call contract, point 3).
      const input = { x: x.slice(), ...float32Params(a, b) };
      await ensureBackend(platform, tfBackend);
      const y = on(tfBackend, () => withEngine(() => tf.tidy(() => {
        const t = shaped(input.x, input.a, input.b, inner);
        return apalu(t.x, t.a, t.b, op);
      })));
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return Float32Array.from(out);
    },
    async backward(x, dy, a, b, layout) {
      const { inner } = validateBackwardCall(x, dy, a, b, layout);
      checkLength(x.length, 'backward', limits, name);
      const input = { x: x.slice(), dy: dy.slice(), ...float32Params(a, b) };
      await ensureBackend(platform, tfBackend);
      const grads = on(tfBackend, () => withEngine(() => tf.tidy(() => {
        const t = shaped(input.x, input.a, input.b, inner);
        const g = tf.tensor3d(input.dy, t.x.shape, 'float32');
        return tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, op))([t.x, t.a, t.b], g);
      })));
      const [dx, da, db] = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
      tf.dispose(grads);
      return { dx: Float32Array.from(dx as Float32Array), da: Float32Array.from(da as Float32Array), db: Float32Array.from(db as Float32Array) };
    },
  };
}
