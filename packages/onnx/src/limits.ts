/**
 * The largest call onnxruntime-web's WebAssembly memory can finish (the SPEC.md shipped in
 * @apalu/core, call contract point 5).
 */
import type { OrtRuntime } from './session.js';

export interface LargestCall {
  forward: number;
  backward: number;
}

/**
 * The longest x each pass of the onnxruntime-web backend finishes, measured with onnxruntime-web
 * 1.30's wasm build (32-bit, 4 GiB of memory at most) on the graphs of this version: the session
 * holds x (and dy), the outputs and the intermediate tensors the graph keeps alive at once. Calls
 * above fail inside onnxruntime ("std::bad_alloc", or an abort that can leave the runtime unusable).
 */
export const ORT_WEB_LARGEST_CALL: LargestCall = { forward: 2 ** 28, backward: 2 ** 25 };

/**
 * The size limit for a runtime: onnxruntime-web (default, or a given module that reports
 * `env.versions.web`) has it; onnxruntime-node and unknown runtimes are not limited here.
 */
export function largestCall(options: { runtime?: OrtRuntime }, ort: OrtRuntime): LargestCall | undefined {
  if (options.runtime === undefined) return ORT_WEB_LARGEST_CALL;
  const versions = ort.env.versions;
  return versions?.node === undefined && versions?.web !== undefined ? ORT_WEB_LARGEST_CALL : undefined;
}
