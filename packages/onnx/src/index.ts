export { APALU_DOMAIN, APALU_OP, DEFAULT_FORMULATION, apaluOpset, apaluFunction, apaluNode, apaluModel } from './function.js';
export type { ChannelLayout, ApaluNodeOptions, ApaluNodeResult, ApaluModelOptions } from './function.js';
export { formulations, formulationNotes, type Formulation } from './formulations.js';
export { createSession, type CreateSessionOptions, type InferenceSession, type OrtRuntime } from './session.js';
export { createBackend, conformanceVariants, type OnnxBackendOptions } from './backend.js';
export { onnx, IR_VERSION, ONNX_OPSET } from './proto.js';
