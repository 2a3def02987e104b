import { ApaluInputError, backward, forward, type ResolvedLayout, validateParams } from '@apalu/core';
import { type RawKernels, SCRATCH_BYTES_PER_CHANNEL } from '@apalu/wasm';
import { kernelModuleSync } from './module.js';

/**
 * What computes the cpu backend's Apalu kernels: 'wasm' — @apalu/wasm's module (SIMD where the
 * engine has it) in a memory of its own, fed by copies of the backend's arrays; 'js' —
 * @apalu/core's float32 loops on the arrays themselves (strict only; `precision` is ignored).
 */
export type CpuKernelEngine = 'wasm' | 'js';

/**
 * The wasm engine streams a call through its memory in chunks of about this many elements (a
 * whole number of (C, S) periods, so every chunk starts at channel 0): x, dy and dx of a chunk
 * stay in the core's cache, and the memory stays small whatever the tensor's size.
 */
export const CPU_ENGINE_CHUNK_ELEMENTS = 1 << 16;

/** The most memory the wasm engine keeps between calls; a call whose one (C, S) period needs more gets a memory of its own. */
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

const align16 = (bytes: number) => (bytes + 15) & ~15;

/** Elements per chunk for a call of n elements with (C, S) period `period`: whole periods, at least one. */
function chunkLength(n: number, period: number): number {
  return Math.min(n, Math.max(1, Math.floor(limits.chunkElements / period)) * period);
}

/** f(x) for the cpu backend's arrays; a fresh array (the inputs are never written). */
export function cpuForward(x: Float32Array, a: Float32Array, b: Float32Array, layout: ResolvedLayout, precision: 0 | 1): Float32Array {
  const { channels, inner } = layout;
  if (cpuKernelEngine() === 'wasm') {
    validateParams(a, b);
    const n = x.length;
    const chunk = chunkLength(n, channels * inner);
    // [a | b | a chunk of x, overwritten by f(x)]
    const xAt = align16(8 * channels);
    const inst = instanceFor(xAt + 4 * chunk);
    if (inst !== null) {
      const heap = new Float32Array(inst.memory.buffer);
      heap.set(a, 0);
      heap.set(b, channels);
      const out = new Float32Array(n);
      for (let start = 0; start < n; start += chunk) {
        const len = Math.min(chunk, n - start);
        heap.set(x.subarray(start, start + len), xAt / 4);
        inst.raw.forward(xAt, xAt, len, 0, 4 * channels, channels, inner, precision);
        out.set(heap.subarray(xAt / 4, xAt / 4 + len), start);
      }
      return out;
    }
  }
  return forward(x, a, b, { inner });
}

/** dx, da, db for the cpu backend's arrays (fresh arrays; float64 per-channel sums over all chunks). */
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
    const chunk = chunkLength(n, channels * inner);
    // [float64 sums | a | b | da | db | a chunk of x | of dy | of dx]: dx apart from dy lets the
    // kernel check a whole block of sums at once instead of each vector (in place: ≈ 20 % slower).
    const aAt = SCRATCH_BYTES_PER_CHANNEL * channels;
    const xAt = align16(aAt + 16 * channels);
    const dyAt = xAt + align16(4 * chunk);
    const dxAt = dyAt + align16(4 * chunk);
    const inst = instanceFor(dxAt + 4 * chunk);
    if (inst !== null) {
      const heap = new Float32Array(inst.memory.buffer);
      const [bAt, daAt, dbAt] = [aAt + 4 * channels, aAt + 8 * channels, aAt + 12 * channels];
      heap.set(a, aAt / 4);
      heap.set(b, bAt / 4);
      new Float64Array(inst.memory.buffer, 0, 2 * channels).fill(0);
      const dx = new Float32Array(n);
      for (let start = 0; start < n; start += chunk) {
        const len = Math.min(chunk, n - start);
        heap.set(x.subarray(start, start + len), xAt / 4);
        heap.set(dy.subarray(start, start + len), dyAt / 4);
        // Every chunk starts at channel 0 (whole periods): its sums are added to the float64 ones.
        inst.raw.backwardRange(xAt, dyAt, dxAt, 0, len, aAt, bAt, channels, inner, 0, precision);
        dx.set(heap.subarray(dxAt / 4, dxAt / 4 + len), start);
      }
      inst.raw.finishSums(0, daAt, dbAt, channels);
      return { dx, da: heap.slice(daAt / 4, daAt / 4 + channels), db: heap.slice(dbAt / 4, dbAt / 4 + channels) };
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
