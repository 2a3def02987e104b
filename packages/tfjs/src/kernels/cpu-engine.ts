import { ApaluInputError, backward, forward, type ResolvedLayout, validateParams } from '@apalu/core';
import { kernelBytes, type RawKernels, SCRATCH_BYTES_PER_CHANNEL, simdSupported } from '@apalu/wasm';

/**
 * What computes the cpu backend's Apalu kernels: 'wasm' — @apalu/wasm's module (SIMD where the
 * engine has it) in a memory of its own, fed by copies of the backend's arrays; 'js' —
 * @apalu/core's float32 loops on the arrays themselves (strict only; `precision` is ignored).
 */
export type CpuKernelEngine = 'wasm' | 'js';

/** Memory the wasm engine keeps between calls; a call that needs more gets a memory of its own. */
export const CPU_ENGINE_KEEP_BYTES = 64 << 20;

const PAGE = 65536;

interface Instance {
  raw: RawKernels;
  memory: WebAssembly.Memory;
}

let module: WebAssembly.Module | null | undefined;
let kept: Instance | undefined;
let chosen: CpuKernelEngine | undefined;

/**
 * Compiles @apalu/wasm's module once, synchronously (it is a few KB: browsers allow synchronous
 * compiles of up to 8 MB; tfjs kernels are synchronous). null where WebAssembly is missing or
 * refused (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
function compiled(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = typeof WebAssembly === 'object' ? new WebAssembly.Module(kernelBytes(simdSupported() ? 'simd' : 'scalar') as BufferSource) : null;
    } catch {
      module = null;
    }
  }
  return module;
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
 * An instance whose memory holds `bytes`: the kept one (grown as needed) up to
 * CPU_ENGINE_KEEP_BYTES, beyond that a memory for this call alone (released with it). null when
 * the memory cannot be had — the caller computes in JavaScript instead.
 */
function instanceFor(bytes: number): Instance | null {
  const mod = compiled();
  if (mod === null) return null;
  const pages = Math.ceil(bytes / PAGE);
  try {
    if (bytes > CPU_ENGINE_KEEP_BYTES) return instantiate(mod, new WebAssembly.Memory({ initial: pages }));
    if (kept === undefined) kept = instantiate(mod, new WebAssembly.Memory({ initial: pages, maximum: CPU_ENGINE_KEEP_BYTES / PAGE }));
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

/** f(x) for the cpu backend's arrays; a fresh array (the inputs are never written). */
export function cpuForward(x: Float32Array, a: Float32Array, b: Float32Array, layout: ResolvedLayout, precision: 0 | 1): Float32Array {
  const { channels, inner } = layout;
  const wasm = cpuKernelEngine() === 'wasm';
  if (wasm) {
    validateParams(a, b);
    // [a | b | x, overwritten by f(x)]
    const xAt = align16(8 * channels);
    const inst = instanceFor(xAt + 4 * x.length);
    if (inst !== null) {
      const heap = new Float32Array(inst.memory.buffer);
      heap.set(a, 0);
      heap.set(b, channels);
      heap.set(x, xAt / 4);
      inst.raw.forward(xAt, xAt, x.length, 0, 4 * channels, channels, inner, precision);
      return heap.slice(xAt / 4, xAt / 4 + x.length);
    }
  }
  return forward(x, a, b, { inner });
}

/** dx, da, db for the cpu backend's arrays (fresh arrays; float64 per-channel sums). */
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
    // [float64 sums | a | b | da | db | x | dy, overwritten by dx]
    const aAt = SCRATCH_BYTES_PER_CHANNEL * channels;
    const xAt = align16(aAt + 16 * channels);
    const dyAt = xAt + align16(4 * x.length);
    const inst = instanceFor(dyAt + 4 * x.length);
    if (inst !== null) {
      const heap = new Float32Array(inst.memory.buffer);
      const [bAt, daAt, dbAt] = [aAt + 4 * channels, aAt + 8 * channels, aAt + 12 * channels];
      heap.set(a, aAt / 4);
      heap.set(b, bAt / 4);
      heap.set(x, xAt / 4);
      heap.set(dy, dyAt / 4);
      inst.raw.backward(xAt, dyAt, dyAt, daAt, dbAt, x.length, aAt, bAt, channels, inner, 0, precision);
      return {
        dx: heap.slice(dyAt / 4, dyAt / 4 + x.length),
        da: heap.slice(daAt / 4, daAt / 4 + channels),
        db: heap.slice(dbAt / 4, dbAt / 4 + channels),
      };
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
