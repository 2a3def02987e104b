export { apalu, type ApaluPath } from './op.js';
export { apaluComposed } from './composed.js';
export { Apalu, apaluLayer, DEFAULT_MIN_PARAM, type ApaluLayerArgs } from './layer.js';
export { ApaluInitializer, type InitializerIdentifier, type RegularizerIdentifier, type ConstraintIdentifier, type SerializedObject } from './serializable.js';
export { registerApaluKernels, hasApaluKernel } from './register.js';
export { paramLayout } from './layout.js';
export { APALU_KERNEL, APALU_GRAD_KERNEL } from './names.js';
export { probeWasmBackend, type WasmKernelMode } from './kernels/wasm.js';
export { createBackend, conformanceVariants, type TfjsBackendOptions, type TfBackendName } from './backend.js';
