/**
 * `@apalu/onnx/conformance`: the variants the conformance report lists for this package (CLI and
 * matrix). The kit's `loadVariants('@apalu/onnx')` imports this subpath; each variant's
 * `options` go to `createBackend` from the main entry. Kept out of the main entry so an app that
 * only runs models does not carry the list.
 */
import type { OnnxBackendOptions } from './backend.js';

/** One variant per formulation of the APALU function, all on onnxruntime-web's wasm provider. */
export const conformanceVariants = [
  { name: 'onnxruntime-web-wasm', options: { executionProviders: ['wasm'] } },
  { name: 'onnxruntime-web-wasm-sigmoid-exp', options: { executionProviders: ['wasm'], formulation: 'sigmoid-exp' } },
  { name: 'onnxruntime-web-wasm-quickgelu', options: { executionProviders: ['wasm'], formulation: 'quickgelu' } },
  { name: 'onnxruntime-web-wasm-elu-quickgelu', options: { executionProviders: ['wasm'], formulation: 'elu-quickgelu' } },
  { name: 'onnxruntime-web-wasm-relu-min', options: { executionProviders: ['wasm'], formulation: 'relu-min' } },
] as const satisfies readonly { name: string; options: OnnxBackendOptions }[];
