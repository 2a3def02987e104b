/** Every error code an @apalu package throws, with its kind and one meaning shared by all packages. */

/** 'input': fix the call (ApaluInputError). 'environment': fix or change where it runs (ApaluEnvironmentError). */
export type ApaluErrorKind = 'input' | 'environment';

const input = (meaning: string) => ({ kind: 'input', meaning }) as const;
const environment = (meaning: string) => ({ kind: 'environment', meaning }) as const;

/**
 * The one list of codes. A code means the same thing in every package; a package that needs a new
 * meaning adds a code here (the repository's tests check that every code thrown is listed, with
 * the right class, and that every listed code is thrown somewhere).
 */
export const APALU_ERROR_CODES = {
  // The call's arrays and parameters (every backend, through @apalu/core's checks).
  E_TYPE: input('an argument or option has the wrong type (e.g. x not a Float32Array, an output of another type)'),
  E_DETACHED: input('an array whose buffer is detached or out of bounds (it would read as empty)'),
  E_LENGTH: input('arrays that must match element for element do not (dy, an output, against x)'),
  E_LAYOUT: input('the (C, S) layout does not fit the data: inner size, rank, channel axis or x.length not a multiple of C·S'),
  E_CHANNELS: input('a and b are empty or of different lengths'),
  E_PARAM: input('an a or b value that is not finite and > 0 (also after rounding to float32)'),
  E_OVERLAP: input('a caller-owned output overlaps an input or another output in a way the backend cannot compute in place'),
  E_POINTER: input('an address in a backend memory that is misaligned, out of range or overlapping'),
  E_COUNT: input('a count or size that must be a non-negative (or positive) integer is not'),
  E_TOO_LARGE: input('the call is larger than this backend can take at once (the message gives the largest size); split it'),
  E_DISPOSED: input('a call on a backend after its dispose(); create a new backend'),
  // Options and initializers.
  E_OPTION: input('an unknown option, or an option value outside its allowed set'),
  E_RANGE: input('an interval (initializer or parameter range) that is empty or not finite'),
  E_SEED: input('a seed that is not a (safe) integer'),
  E_ACTIVATION: input('an activation name this function or network does not know'),
  E_PATH: input("@apalu/tfjs: path is not 'kernel' or 'composed'"),
  E_PRAXIS: input("@apalu/brain: praxis is not 'sgd' or 'adam'"),
  E_INITIALIZER: input("@apalu/tfjs: a saved ApaluInitializer config that is neither 'uniform' nor 'constant'"),
  E_SHARED_AXES: input('@apalu/tfjs: sharedAxes that are not distinct axes ≥ 1 of the input'),
  E_CONFIG: input('a layer or model configuration value that cannot be used (tfjs layer config, ONNX export of a layer option)'),
  // Tensors, layers and models.
  E_SHAPE: input('@apalu/tfjs: a tensor shape that does not fit (a and b shapes, the layer input shape)'),
  E_INPUTS: input('@apalu/tfjs: a layer called with more than one input'),
  E_TFJS_COPY: input('@apalu/tfjs: a tensor or layer from another installed copy of TensorFlow.js than the one @apalu/tfjs uses'),
  E_MODEL: input('@apalu/onnx: a model that cannot be exported as given (not built, no inputs, a cycle)'),
  E_DTYPE: input('@apalu/onnx: a model input of a dtype other than float32'),
  E_OPSET: input('@apalu/onnx: an opset outside what the exporter writes or the installed onnxruntime runs'),
  E_UNSUPPORTED_LAYER: input('@apalu/onnx: a layer the exporter does not convert (the message lists those it does)'),
  E_USAGE: input('@apalu/webgpu: a GPUBuffer without the usage flags the call needs'),
  // Training and saved networks.
  E_DIVERGED: input('a training update would leave a non-finite weight or parameter; it was not applied (lower the learning rate)'),
  E_DATA: input('@apalu/brain: training data that is not finite numbers'),
  E_JSON: input('@apalu/brain: a saved network (fromJSON) that is malformed'),
  E_STATE: input('@apalu/brain: a network used before it has layers, or holding a value it cannot save'),
  E_NEEDS_APALU: input("@apalu/brain: a network with activation 'apalu' loaded into brain.js's own class"),
  // Where it runs.
  E_BACKEND: environment('the framework or runtime backend the adapter needs is not installed, not registered or cannot start'),
  E_SIMD: environment('@apalu/wasm: simd: true on a JavaScript engine without WebAssembly SIMD'),
  E_MEMORY: environment('@apalu/wasm: the engine refused to grow the WebAssembly memory'),
  E_WORKER: environment("a worker thread failed or stopped answering (@apalu/wasm's threads, the conformance kit's exhaustive workers)"),
  E_NO_WEBGPU: environment('@apalu/webgpu: this runtime has no WebGPU (navigator.gpu or the webgpu package)'),
  E_NO_ADAPTER: environment('@apalu/webgpu: WebGPU offers no adapter here'),
  E_DEVICE_LOST: environment('@apalu/webgpu: the GPU device was lost; create a new backend'),
  E_GPU_OOM: environment('@apalu/webgpu: the GPU ran out of memory for this call'),
  E_GPU_VALIDATION: environment('@apalu/webgpu: the GPU driver rejected a command (a bug to report, with the message)'),
  E_GPU_LIMIT: environment("@apalu/webgpu: the call needs more workgroups than the device's dispatch grid"),
} as const satisfies Record<string, { kind: ApaluErrorKind; meaning: string }>;

/** One of the codes in `APALU_ERROR_CODES`. */
export type ApaluErrorCode = keyof typeof APALU_ERROR_CODES;
