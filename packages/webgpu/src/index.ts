export { createBackend, type WebGpuBackendOptions, type WebGpuBackend } from './backend.js';
export { requestApaluDevice, type DeviceRequest } from './device.js';
export { ApaluGpuError } from './errors.js';
export {
  ApaluGpuRunner,
  getRunner,
  planBackward,
  grid,
  BufferUsage,
  RESULT_USAGE,
  type RunnerOptions,
  type GpuForwardArgs,
  type GpuBackwardArgs,
  type GpuBackwardResult,
} from './runner.js';
export { WGSL_APALU_MATH } from './wgsl/math.js';
export {
  WGSL_SOURCES,
  forwardShader,
  backwardPartialShader,
  backwardFinalShader,
  FORWARD_WORKGROUP,
  REDUCE_WORKGROUP,
  BACKWARD_ROWS,
  type VectorWidth,
} from './wgsl/kernels.js';
