/** The public entry of @apalu/conformance: cases, reference, runner, exhaustive checker, variant loading and report formatting. */
export type { ApaluBackend, ApaluGradients, ApaluLayout, AccuracyClass, CreateBackend } from '@apalu/core';
export { ACCURACY_CLASSES, type ClassLimits } from './classes.js';
export { conformanceCases, SPEC_MAGNITUDES, type CaseInput, type ConformanceCase, type CaseSelection } from './cases.js';
export { REJECTION_CASES, type RejectionCase } from './rejections.js';
export { computeReference, sumError, type CaseReference, type ChannelSums, type SumReference } from './reference.js';
export {
  runConformance,
  listCaseNames,
  formatFailures,
  type ConformanceOptions,
  type ConformanceReport,
  type CheckResult,
  type ExcludedCase,
  type ExcludedInputs,
} from './run.js';
export { runExhaustive, type ExhaustiveOptions, type ExhaustiveReport } from './exhaustive.js';
export type { MetricTally } from './exhaustive-shared.js';
export { loadVariants, variantRunOptions, type ConformanceVariant, type LoadedVariant } from './variants.js';
export { formatMatrix, formatExhaustive } from './matrix.js';
export { gpuOpsInputExclusions, INPUT_CLASSES, type InputClass, type InputElement, type InputExclusions } from './exclusions.js';
export { ulpDistance, composedRatio, fromBits, FLOAT32_MAX } from './float32.js';
export { resolveModule } from './resolve.js';
export { CONTRACT_CASE_NAMES, DEFAULT_PROPERTY_RUNS, DEFAULT_PROPERTY_SEED, type ContractCaseName } from './contract.js';
export { CallTimeoutError, DEFAULT_CALL_TIMEOUT } from './timeout.js';
