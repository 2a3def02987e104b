/** The public entry of @apalu/webgpu: createBackend, the device request, the GPU runner for GPU-resident buffers, and the WGSL sources. */
export { createBackend, type WebGpuBackendOptions, type WebGpuBackend } from './backend.js';
export { requestApaluDevice, type DeviceRequest } from './device.js';
export { ApaluGpuError } from './errors.js';
export {
  ApaluGpuRunner,
  getRunner,
  type RunnerOptions,
  type GpuForwardArgs,
  type GpuBackwardArgs,
  type GpuBackwardResult,
} from './runner.js';
export { planBackward, grid } from './plan.js';
export { BufferUsage, RESULT_USAGE } from './buffers.js';
export { WGSL_APALU_MATH, APALU_MATH_CONSTANTS, shaderFloat } from './wgsl/math.js';
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
