/**
 * The largest call onnxruntime-web's WebAssembly memory can finish (the SPEC.md shipped in
 * @apalu/core, call contract point 5).
 */
import { DEFAULT_FORMULATION } from './function.js';
import type { Formulation } from './formulations.js';
import type { OrtRuntime } from './session.js';

export interface LargestCall {
  /** The longest x `forward` takes. */
  forward: number;
  /** The longest x `backward` takes. */
  backward: number;
}

/**
 * The longest x each pass of the onnxruntime-web backend finishes, measured with onnxruntime-web
 * 1.30's wasm build (32-bit, 4 GiB of memory at most) on the graphs of this version: a session
 * holds x (and dy), the outputs and the intermediate tensors its graph keeps alive at once, so the
 * forward limit depends on the formulation. Each limit was run four times in one process, on both
 * graph shapes (channels-last and inner > 1), and backward at its limit after forward at its
 * limit; above them onnxruntime-web fails with "std::bad_alloc" (backward: 2^26 and 56 Mi
 * elements fail, 48 Mi runs on its own; the limit keeps room for the forward session's memory).
 */
export const ORT_WEB_LARGEST_CALL: { readonly forward: Readonly<Record<Formulation, number>>; readonly backward: number } = {
  forward: {
    'shared-exp': 2 ** 27,
    'sigmoid-exp': 2 ** 27,
    quickgelu: 2 ** 27,
    'elu-quickgelu': 2 ** 26,
    'relu-min': 2 ** 27,
  },
  backward: 2 ** 25,
};

/**
 * The size limits for a runtime and formulation: onnxruntime-web (the default, or a given module
 * that reports `env.versions.web`) has them; onnxruntime-node and unknown runtimes are not limited here.
 */
export function largestCall(options: { runtime?: OrtRuntime; formulation?: Formulation }, ort: OrtRuntime): LargestCall | undefined {
  const versions = ort.env.versions;
  const web = options.runtime === undefined || (versions?.node === undefined && versions?.web !== undefined);
  if (!web) return undefined;
  const forward = ORT_WEB_LARGEST_CALL.forward[options.formulation ?? DEFAULT_FORMULATION];
  return { forward: forward ?? Math.min(...Object.values(ORT_WEB_LARGEST_CALL.forward)), backward: ORT_WEB_LARGEST_CALL.backward };
}
