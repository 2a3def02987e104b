// Everything both entries (Node: src/node.ts, browsers and the rest: src/index.ts) export alike.
export { apalu, type ApaluPath, type ApaluOptions, type Precision } from './op.js';
export { apaluComposed } from './composed.js';
export { Apalu, apaluLayer, registerApalu, DEFAULT_MIN_PARAM, type ApaluLayerArgs } from './layer.js';
export { ApaluInitializer, type InitializerIdentifier, type RegularizerIdentifier, type ConstraintIdentifier, type SerializedObject } from './serializable.js';
export { registerApaluKernels, hasApaluKernel } from './register.js';
export { paramLayout } from './layout.js';
export { APALU_KERNEL, APALU_GRAD_KERNEL } from './names.js';
export { probeWasmBackend, type WasmKernelMode } from './kernels/wasm.js';
export { cpuKernelEngine, setCpuKernelEngine, withCpuKernelEngine, cpuKernelMemoryBytes, CPU_ENGINE_KEEP_BYTES, CPU_ENGINE_CHUNK_ELEMENTS, type CpuKernelEngine } from './kernels/cpu-engine.js';
export type { TfjsBackendOptions, TfBackendName } from './backend-options.js';
export { sizeLimits, largestLength, TENSOR_BYTES_PER_ELEMENT, RESULT_COPY_BYTES_PER_ELEMENT, TFJS_WASM_HEAP_BYTES, type SizeLimit, type ApaluRoute, type Direction } from './size.js';
