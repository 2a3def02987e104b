/** Compiles @apalu/wasm's kernel module synchronously, once per process, for the synchronous tfjs kernels. */
import { kernelBytes, simdSupported } from '@apalu/wasm';

const modules = new Map<boolean, WebAssembly.Module>();

/**
 * @apalu/wasm's kernel module (SIMD where the engine has it, else scalar; the shared-memory build
 * for a shared memory), compiled synchronously once per process: tfjs kernels are synchronous,
 * and the module (≈ 100 KB) is far below the 8 MB browsers allow a synchronous compile. Throws
 * where WebAssembly cannot compile (missing, or refused by a Content-Security-Policy).
 */
export function kernelModuleSync(shared: boolean): WebAssembly.Module {
  let compiled = modules.get(shared);
  if (compiled === undefined) {
    compiled = new WebAssembly.Module(kernelBytes(simdSupported() ? 'simd' : 'scalar', { shared }) as BufferSource);
    modules.set(shared, compiled);
  }
  return compiled;
}
