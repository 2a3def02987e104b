// Everything both entries export except createBackend, which each binds to its platform
// (src/index.ts: Node, src/index.browser.ts: browsers).
export type { WasmBackend, WasmBackendOptions } from './backend.js';
export type { WasmForwardOptions, WasmBackwardOptions, WasmBackwardOutputs } from './outputs.js';
export {
  instantiateKernels,
  chooseKind,
  precisionCode,
  SCRATCH_BYTES_PER_CHANNEL,
  type Precision,
  type ApaluKernels,
  type RawKernels,
  type KernelOptions,
  type BackwardPointers,
  type RangeArgs,
} from './kernels.js';
export { kernelBytes, kernelModule, simdSupported, sharedMemorySupported, type KernelKind, type KernelBytesOptions } from './bytes.js';
