import { ApaluInputError, backward, forward, type ResolvedLayout, validateParams } from '@apalu/core';
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
let chosen: CpuKernelEngine | undefined;

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

/** The engine the cpu kernels use now: the one set by `setCpuKernelEngine`, else 'wasm' where it runs. */
export function cpuKernelEngine(): CpuKernelEngine {
  return chosen ?? (compiled() === null ? 'js' : 'wasm');
}

/** Bytes of WebAssembly memory the 'wasm' engine keeps between calls now (0 before its first call). */
export function cpuKernelMemoryBytes(): number {
  return kept?.memory.buffer.byteLength ?? 0;
}

/**
 * Chooses what computes the cpu backend's Apalu kernels (undefined: back to the default,
 * 'wasm' where WebAssembly runs). 'wasm' throws where it cannot run.
 */
export function setCpuKernelEngine(engine: CpuKernelEngine | undefined): void {
  if (engine !== undefined && engine !== 'wasm' && engine !== 'js') {
    throw new ApaluInputError('E_OPTION', `cpu kernel engine = ${JSON.stringify(engine)}: use 'wasm' (the default where WebAssembly runs), 'js', or undefined.`);
  }
  if (engine === 'wasm' && compiled() === null) {
    throw new ApaluInputError('E_OPTION', "cpu kernel engine 'wasm': this engine cannot compile WebAssembly (missing, or refused by a Content-Security-Policy); use 'js'.");
  }
  chosen = engine;
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

/** f(x) for the cpu backend's arrays; a fresh array (the inputs are never written). */
export function cpuForward(x: Float32Array, a: Float32Array, b: Float32Array, layout: ResolvedLayout, precision: 0 | 1): Float32Array {
  const { channels, inner } = layout;
  if (cpuKernelEngine() === 'wasm') {
    validateParams(a, b);
    const n = x.length;
    const stream = streamFor(n, channels, false);
    if (stream !== null) {
      const out = new Float32Array(n);
      const { raw, memory } = stream.inst;
      streamForward({ raw, memory, pool: undefined, at: stream.at, channels, inner, code: precision, a32: a, b32: b }, x, out, n);
      return out;
    }
  }
  return forward(x, a, b, { inner });
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
  const { channels, inner } = layout;
  if (cpuKernelEngine() === 'wasm') {
    validateParams(a, b);
    const n = x.length;
    const stream = streamFor(n, channels, true);
    if (stream !== null) {
      const out = { dx: new Float32Array(n), da: new Float32Array(channels), db: new Float32Array(channels) };
      const { raw, memory } = stream.inst;
      streamBackward({ raw, memory, pool: undefined, at: stream.at, channels, inner, code: precision, a32: a, b32: b }, x, dy, out.dx, out.da, out.db, n);
      return out;
    }
  }
  return backward(x, dy, a, b, { inner });
}

/** Runs f (synchronous) with `engine` chosen, then restores the previous choice. */
export function withCpuKernelEngine<T>(engine: CpuKernelEngine | undefined, f: () => T): T {
  if (engine === undefined) return f();
  const previous = chosen;
  setCpuKernelEngine(engine);
  try {
    return f();
  } finally {
    chosen = previous;
  }
}
