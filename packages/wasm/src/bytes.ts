// The embedded kernel builds: decoding the base64 modules, compiling them (shared-memory variant
// by patching the import), and what this engine supports (SIMD, shared memory).
import { scalarBase64, simdBase64 } from './generated/kernels.js';
import { withSharedMemoryImport } from './memory-import.js';

/** Which build of the kernels: f32x4 SIMD or plain scalar WebAssembly. */
export type KernelKind = 'simd' | 'scalar';

export interface KernelBytesOptions {
  /** The build that imports a shared memory (needed for worker threads). Default false. */
  shared?: boolean;
}

/** One build per kind, for a plain memory; the shared form is the same bytes with a shared memory import. */
const SOURCES = { simd: simdBase64, scalar: scalarBase64 } as const;

function decode(base64: string): Uint8Array {
  // atob exists in browsers and in Node ≥ 16, so no Buffer (and no bundler polyfill) is needed.
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The .wasm bytes of one build, embedded in the package (no file or network access). The
 * module imports `env.memory` and nothing else; it has no data segment, start function,
 * table, stack or allocator, so it can run inside any host's memory. `shared: true` gives the
 * same module with its memory import declared shared (maximum 65536 pages), for a shared
 * WebAssembly.Memory: byte for byte what AssemblyScript compiles with `--sharedMemory`.
 */
export function kernelBytes(kind: KernelKind, options: KernelBytesOptions = {}): Uint8Array {
  const base64 = Object.hasOwn(SOURCES, kind) ? SOURCES[kind] : undefined;
  if (base64 === undefined) throw new RangeError(`kind = ${String(kind)}: use 'simd' or 'scalar'.`);
  const bytes = decode(base64);
  return options.shared === true ? withSharedMemoryImport(bytes) : bytes;
}

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** The compiled module of one build (compiled once per process and cached). */
export function kernelModule(kind: KernelKind, options: KernelBytesOptions = {}): Promise<WebAssembly.Module> {
  const key = `${kind}/${options.shared === true}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = WebAssembly.compile(kernelBytes(kind, options) as BufferSource);
    modules.set(key, module);
  }
  return module;
}

let simd: boolean | undefined;

/** Whether this engine runs WebAssembly SIMD (checked by validating the SIMD build itself). */
export function simdSupported(): boolean {
  simd ??= typeof WebAssembly === 'object' && WebAssembly.validate(kernelBytes('simd') as BufferSource);
  return simd;
}

/** Whether a shared WebAssembly.Memory can be created here (needs cross-origin isolation in browsers). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
