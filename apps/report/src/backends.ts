/**
 * Every backend in the workspace, in the order the report lists them. Adding a backend
 * package means adding it here (and as a dependency of this app) — nothing else. The report
 * runs each module's `conformanceVariants` from its `./conformance` subpath
 * (`@apalu/wasm/conformance`, `@apalu/webgpu/conformance`, `@apalu/tfjs/conformance`,
 * `@apalu/onnx/conformance`, `@apalu/brain/conformance`), found by @apalu/conformance's
 * `loadVariants`; a module without the subpath (@apalu/core) runs one `createBackend()`.
 */
export const BACKEND_MODULES = ['@apalu/core', '@apalu/wasm', '@apalu/webgpu', '@apalu/tfjs', '@apalu/onnx', '@apalu/brain'] as const;
