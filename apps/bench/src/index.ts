// WebAssembly's types ship in lib.dom under Node 20's typings; a program that type-checks this
// package's source (apps/report) gets them from here.
/// <reference lib="dom" />
export { runBench, MODES, type BenchOptions, type ModePlan } from './run.js';
export { formatMarkdown, formatPackageRows, formatRatio, machineLine, ratioSize, sizeLabel } from './output/markdown.js';
export { renderChart } from './output/chart.js';
export { writeResults, type WrittenFiles } from './output/write.js';
export { isCompleteFullRun, partialReasons, resultBaseName, runDescription } from './run-kind.js';
export { UsageError } from './errors.js';
export { CHANNELS } from './inputs.js';
export type {
  BenchEntry,
  BenchMode,
  BenchResult,
  Direction,
  EntryInfo,
  EntryRole,
  MachineInfo,
  Measurement,
  ProgressEvent,
  Rejected,
  Unavailable,
} from './types.js';
