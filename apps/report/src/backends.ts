/**
 * Every backend in the workspace, in the order the report lists them. Adding a backend
 * package means adding it here (and as a dependency of this app) — nothing else.
 */
export const BACKEND_MODULES = ['@apalu/core', '@apalu/wasm', '@apalu/webgpu', '@apalu/tfjs', '@apalu/onnx', '@apalu/brain'] as const;
