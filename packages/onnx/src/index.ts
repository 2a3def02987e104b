/** The public entry of @apalu/onnx: the ai.apalu ONNX function and model builders, the tfjs exporter, sessions and createBackend. */
export { APALU_DOMAIN, APALU_OP, DEFAULT_FORMULATION, apaluOpset, apaluFunction, apaluNode, apaluModel } from './function.js';
export type { ChannelLayout, ApaluFunctionOptions, ApaluNodeOptions, ApaluNodeResult, ApaluModelOptions } from './function.js';
export { formulations, formulationNotes, type Formulation } from './formulations.js';
export { createSession, type CreateSessionOptions, type InferenceSession, type OrtRuntime } from './session.js';
export { createBackend, type OnnxBackendOptions } from './backend.js';
export { onnx, IR_VERSION, ONNX_OPSET } from './proto.js';
export { exportTfjsModel, type ExportOptions } from './export/export-tfjs.js';
export { supportedLayers } from './export/layers/index.js';
export { supportedActivations } from './export/activations.js';
export { ExportError } from './export/errors.js';
export type { TfjsModel, TfjsLayer, TfjsSymbolicTensor } from './export/tfjs-types.js';
export { ORT_WEB_LARGEST_CALL, type LargestCall } from './limits.js';
