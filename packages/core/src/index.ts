/** The public entry of @apalu/core: the scalar math, array passes, initializers, validation, errors and the backend contract. */
export { APALU_K, apalu, apaluDerivative, apaluGrad, apaluSecondDerivative, type ApaluGradient } from './scalar.js';
export { forward, backward, type ForwardOptions, type BackwardOptions, type BackwardResult } from './arrays.js';
export {
  uniform,
  constant,
  fitTo,
  type ParamInitializer,
  type KnownActivation,
  type FitOptions,
  type FitResult,
} from './initializers.js';
export {
  validateParams,
  float32Params,
  validateLayout,
  validateCall,
  validateForwardCall,
  validateBackwardCall,
  assertFloatArray,
  isFloatArray,
  type FloatArray,
  type ParamArray,
  type ResolvedLayout,
} from './validate.js';
export { ApaluInputError, ApaluEnvironmentError, isApaluError } from './errors.js';
export { APALU_ERROR_CODES, type ApaluErrorCode, type ApaluErrorKind } from './error-codes.js';
export { CompensatedSum } from './sum.js';
export { splitmix32 } from './random.js';
export { erf } from './special.js';
export {
  createBackend,
  type ApaluBackend,
  type ApaluGradients,
  type ApaluLayout,
  type AccuracyClass,
  type CreateBackend,
} from './backend.js';
export { INPUT_CLASSES, gpuOpsInputExclusions, type InputClass, type InputElement, type InputExclusions } from './exclusions.js';
export { assertReadable, unreadable } from './live.js';
