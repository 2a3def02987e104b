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
// Block streaming for hosts that run the kernels in a memory of their own (the tfjs cpu kernel):
// a layout above a base address, then forward/backward copied through it block by block.
export { streamLayout, streamForward, streamBackward, BLOCK_ELEMENTS, type StreamLayout, type StreamJob, type StreamPool } from './stream.js';
