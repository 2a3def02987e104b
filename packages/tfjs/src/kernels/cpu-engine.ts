// The cpu backend's Apalu kernels' engine ('wasm': @apalu/wasm's module over copies; 'js': @apalu/core's
// loops), chosen by the tfjs environment flag APALU_CPU_KERNEL_ENGINE, and the streamed calls themselves.
import { ApaluEnvironmentError, ApaluInputError, backward, forward, type ResolvedLayout, validateParams } from '@apalu/core';
import { env } from '@tensorflow/tfjs-core';
import { BLOCK_ELEMENTS, type RawKernels, streamBackward, streamForward, streamLayout } from '@apalu/wasm';
import { kernelModuleSync } from './module.js';

/**
 * What computes the cpu backend's Apalu kernels: 'wasm' — @apalu/wasm's module (SIMD where the
 * engine has it) in a memory of its own, fed by copies of the backend's arrays; 'js' —
 * @apalu/core's float32 loops on the arrays themselves (strict only; `precision` is ignored).
 */
export type CpuKernelEngine = 'wasm' | 'js';

/**
 * The wasm engine streams a call through its memory in blocks of this many elements, as
 * @apalu/wasm's backend does (its streamForward/streamBackward): x, dy and dx of a block stay in
 * the core's cache, and the memory stays small whatever the tensor's size or layout (a block may
 * start anywhere in a (C, S) period).
 */
export const CPU_ENGINE_CHUNK_ELEMENTS = BLOCK_ELEMENTS;

/** The most memory the wasm engine keeps between calls; a call that needs more (C in the hundred thousands) gets a memory of its own. */
export const CPU_ENGINE_KEEP_BYTES = 64 << 20;

let limits = { chunkElements: CPU_ENGINE_CHUNK_ELEMENTS, keepBytes: CPU_ENGINE_KEEP_BYTES };

/** Tests only: smaller chunks and a smaller kept memory, to reach every route with small tensors (undefined: the defaults). */
export function setCpuEngineLimits(next?: { chunkElements: number; keepBytes: number }): void {
  limits = next ?? { chunkElements: CPU_ENGINE_CHUNK_ELEMENTS, keepBytes: CPU_ENGINE_KEEP_BYTES };
  kept = undefined;
}

const PAGE = 65536;

interface Instance {
  raw: RawKernels;
  memory: WebAssembly.Memory;
}

let compiledModule: WebAssembly.Module | null | undefined;
let kept: Instance | undefined;

/**
 * The tfjs environment flag that chooses the engine, as tfjs-backend-wasm exposes its own
 * (`tf.env().set('APALU_CPU_KERNEL_ENGINE', 'js')`, or `?tfjsflags=APALU_CPU_KERNEL_ENGINE:js` in a
 * page's URL); its default is 'wasm' where WebAssembly runs, else 'js'.
 */
export const CPU_KERNEL_ENGINE_FLAG = 'APALU_CPU_KERNEL_ENGINE';

/** @apalu/wasm's module, or null where WebAssembly is missing or refused (a CSP without 'wasm-unsafe-eval'). */
function compiled(): WebAssembly.Module | null {
  if (compiledModule === undefined) {
    try {
      compiledModule = typeof WebAssembly === 'object' ? kernelModuleSync(false) : null;
    } catch {
      compiledModule = null;
    }
  }
  return compiledModule;
}

/** The flag's default: 'wasm' where @apalu/wasm's module compiles, else 'js'. */
const defaultEngine = (): CpuKernelEngine => (compiled() === null ? 'js' : 'wasm');

/** E_OPTION unless `engine` is an engine name (or undefined: the default); E_BACKEND (environment) for 'wasm' where WebAssembly does not compile. */
function checkEngine(engine: unknown): asserts engine is CpuKernelEngine | undefined {
  if (engine !== undefined && engine !== 'wasm' && engine !== 'js') {
    throw new ApaluInputError('E_OPTION', `cpu kernel engine = ${JSON.stringify(engine)}: use 'wasm' (the default where WebAssembly runs), 'js', or undefined.`);
  }
  if (engine === 'wasm' && compiled() === null) {
    throw new ApaluEnvironmentError('E_BACKEND', "cpu kernel engine 'wasm': this engine cannot compile WebAssembly (missing, or refused by a Content-Security-Policy); use 'js'.");
  }
}

/**
 * Registers the flag with tfjs's environment (idempotent: tfjs keeps one environment per process,
 * shared by every copy of tfjs-core). A value the engine cannot use is refused (E_OPTION) and the
 * flag goes back to its default: tfjs stores a value before its set hook runs.
 */
function registerFlag(): void {
  env().registerFlag(CPU_KERNEL_ENGINE_FLAG, defaultEngine, (value) => {
    try {
      checkEngine(value);
    } catch (error) {
      env().set(CPU_KERNEL_ENGINE_FLAG, defaultEngine());
      throw error;
    }
  });
}
registerFlag();

/** The flag's value (registering it first where another tfjs-core copy's environment lacks it). */
function flagValue(): CpuKernelEngine {
  try {
    return env().get(CPU_KERNEL_ENGINE_FLAG) as CpuKernelEngine;
  } catch {
    registerFlag();
    return env().get(CPU_KERNEL_ENGINE_FLAG) as CpuKernelEngine;
  }
}

/**
 * The engine the cpu kernels use now: the APALU_CPU_KERNEL_ENGINE flag ('wasm' where it runs,
 * unless set); 'js' where the flag says 'wasm' but WebAssembly cannot be compiled (the kernels then
 * compute in JavaScript).
 */
export function cpuKernelEngine(): CpuKernelEngine {
  const engine = flagValue();
  return engine === 'wasm' && compiled() === null ? 'js' : engine;
}

/** Bytes of WebAssembly memory the 'wasm' engine keeps between calls now (0 before its first call). */
export function cpuKernelMemoryBytes(): number {
  return kept?.memory.buffer.byteLength ?? 0;
}

/**
 * Chooses what computes the cpu backend's Apalu kernels (undefined: back to the default,
 * 'wasm' where WebAssembly runs). 'wasm' throws where it cannot run. A thin wrapper over
 * `tf.env().set('APALU_CPU_KERNEL_ENGINE', engine)`, kept for compatibility.
 */
export function setCpuKernelEngine(engine: CpuKernelEngine | undefined): void {
  checkEngine(engine);
  flagValue();
  env().set(CPU_KERNEL_ENGINE_FLAG, engine ?? defaultEngine());
}

/**
 * An instance whose memory holds `bytes`: the kept one (grown as needed) up to the kept
 * limit, beyond that a memory for this call alone (released with it). null when the memory
 * cannot be had — the caller computes in JavaScript instead.
 */
function instanceFor(bytes: number): Instance | null {
  const mod = compiled();
  if (mod === null) return null;
  const pages = Math.ceil(bytes / PAGE);
  try {
    if (bytes > limits.keepBytes) return instantiate(mod, new WebAssembly.Memory({ initial: pages }));
    if (kept === undefined) kept = instantiate(mod, new WebAssembly.Memory({ initial: pages, maximum: Math.ceil(limits.keepBytes / PAGE) }));
    const have = kept.memory.buffer.byteLength / PAGE;
    if (pages > have) kept.memory.grow(pages - have);
    return kept;
  } catch {
    return null;
  }
}

function instantiate(mod: WebAssembly.Module, memory: WebAssembly.Memory): Instance {
  return { raw: new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as RawKernels, memory };
}

/** The block layout of a call (from address 0) and the instance that holds it, or null (compute in JavaScript). */
function streamFor(n: number, channels: number, backward: boolean) {
  const at = streamLayout(channels, backward, 1, Math.min(n, limits.chunkElements), 0);
  const inst = instanceFor(at.end);
  return inst === null ? null : { at, inst };
}

/**
 * The arguments of @apalu/wasm's streamed calls for n elements, where the engine is 'wasm' and
 * an instance holds the block layout (a and b checked first, as the module needs); else null
 * (compute in JavaScript).
 */
function wasmStream(n: number, a: Float32Array, b: Float32Array, layout: ResolvedLayout, precision: 0 | 1, backwardPass: boolean): Parameters<typeof streamForward>[0] | null {
  if (cpuKernelEngine() !== 'wasm') return null;
  validateParams(a, b);
  const { channels, inner } = layout;
  const stream = streamFor(n, channels, backwardPass);
  if (stream === null) return null;
  const { raw, memory } = stream.inst;
  return { raw, memory, pool: undefined, at: stream.at, channels, inner, code: precision, a32: a, b32: b };
}

/** f(x) for the cpu backend's arrays; a fresh array (the inputs are never written). */
export function cpuForward(x: Float32Array, a: Float32Array, b: Float32Array, layout: ResolvedLayout, precision: 0 | 1): Float32Array {
  const n = x.length;
  const call = wasmStream(n, a, b, layout, precision, false);
  if (call === null) return forward(x, a, b, { inner: layout.inner });
  const out = new Float32Array(n);
  streamForward(call, x, out, n);
  return out;
}

/** dx, da, db for the cpu backend's arrays (fresh arrays; each block's float64 sums added in block order, as @apalu/wasm's backend does). */
export function cpuBackward(
  x: Float32Array,
  dy: Float32Array,
  a: Float32Array,
  b: Float32Array,
  layout: ResolvedLayout,
  precision: 0 | 1,
): { dx: Float32Array; da: Float32Array; db: Float32Array } {
  const n = x.length;
  const call = wasmStream(n, a, b, layout, precision, true);
  if (call === null) return backward(x, dy, a, b, { inner: layout.inner });
  const out = { dx: new Float32Array(n), da: new Float32Array(layout.channels), db: new Float32Array(layout.channels) };
  streamBackward(call, x, dy, out.dx, out.da, out.db, n);
  return out;
}

/** Runs f (synchronous) with `engine` chosen, then restores the previous choice. */
export function withCpuKernelEngine<T>(engine: CpuKernelEngine | undefined, f: () => T): T {
  if (engine === undefined) return f();
  const previous = flagValue();
  setCpuKernelEngine(engine);
  try {
    return f();
  } finally {
    env().set(CPU_KERNEL_ENGINE_FLAG, previous);
  }
}
