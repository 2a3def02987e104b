import type { AccuracyClass, ApaluGradients } from '@apalu/core';
import type { CaseReference } from '@apalu/conformance';

export type Direction = 'forward' | 'backward';
export type BenchMode = 'full' | 'quick' | 'smoke';

/**
 * What a row is: an APALU implementation, a framework's own activation measured beside it
 * (a peer), or a memory-copy limit (the fastest anything that reads and writes n floats can be).
 */
export type EntryRole = 'apalu' | 'peer' | 'limit';

/** The data of one size, shared by every entry (inputs are never written). */
export interface SizedInput {
  n: number;
  /** Channels C (a, b have this length); the layout is channels-last (inner size S = 1). */
  channels: number;
  x: Float32Array;
  dy: Float32Array;
  a: Float32Array;
  b: Float32Array;
  /** core's float64 reference rounded once to float32 (computed lazily, once per size). */
  reference(): CaseReference;
}

/** What an entry's run returns: y for forward, gradients for backward (peers may omit da/db). */
export type RunOutput = Float32Array | ApaluGradients | { dx: Float32Array; da?: Float32Array; db?: Float32Array };

/** One prepared measurement: `run` is what gets timed; its first result is validated. */
export interface Prepared {
  run(): RunOutput | Promise<RunOutput>;
  /** Called before the entry's validation call and before each of its timed rounds (e.g. tf.setBackend). */
  enter?(): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

/** Lets entries of one (size, direction) share tensors/sessions; disposed after the group. */
export interface GroupScope {
  once<T>(key: string, create: () => T | Promise<T>, dispose?: (value: T) => void | Promise<void>): Promise<T>;
}

export interface BenchEntry {
  /** Stable id, also the row label, e.g. "tfjs-wasm-kernel" or "tf.relu (wasm)". */
  id: string;
  role: EntryRole;
  /** The @apalu package (apalu rows) or the library (peers, limits) measured. */
  source: string;
  /** Rows compared with each other (one chart panel): e.g. "tfjs wasm"; limits belong to every group. */
  group: string;
  /** The accuracy class an apalu row is validated in. */
  accuracy?: AccuracyClass;
  /** Extra words for the table, e.g. "emulated (SwiftShader)" or "Float32Array in/out". */
  note?: string;
  /**
   * Set when a call is not "n activations" but something larger (brain: a training step of a
   * network with n hidden neurons): such rows are compared with their peers only, never with
   * the copy limits or the JS loop.
   */
  ownUnit?: string;
  directions: readonly Direction[];
  /** Largest size this entry runs at (memory or time limits), if any. */
  maxSize?: number;
  /** Peer ids this apalu row is compared against (same framework, same backend). */
  peers?: readonly string[];
  /**
   * Timed in a second pass, after every other entry at every size: it runs many of its
   * framework's own kernels (tfjs composed graphs), which left the framework's peers slower
   * when timed after it (tf.elu on tfjs-backend-cpu: 14 → 26 ms for 1M).
   */
  late?: boolean;
  /** For peers/limits: checks a result; returns a problem or null. apalu rows use core's reference. */
  check?(output: RunOutput, input: SizedInput, direction: Direction): string | null;
  prepare(input: SizedInput, direction: Direction, scope: GroupScope): Promise<Prepared>;
}

/** A backend that could not be loaded or started here, with why. */
export interface Unavailable {
  id: string;
  source: string;
  reason: string;
}

/** What a family module (one package or library) contributes. */
export interface Family {
  entries: BenchEntry[];
  unavailable: Unavailable[];
  /** Releases what the family holds for the whole run (devices, sessions). */
  close?(): void | Promise<void>;
}

export interface Measurement {
  entry: string;
  direction: Direction;
  n: number;
  /** Milliseconds per call over all interleaved rounds. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  rounds: number;
  /** Million elements per second at the median. */
  throughput: number;
}

/**
 * An entry that did not yield a measurement at a size: its result did not match the reference
 * or its call failed (not timed), or a call failed while it was timed (dropped from the later
 * rounds, its samples discarded).
 */
export interface Rejected {
  entry: string;
  direction: Direction;
  n: number;
  reason: string;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  note?: string;
}

export interface EntryInfo {
  id: string;
  role: EntryRole;
  source: string;
  group: string;
  accuracy?: AccuracyClass;
  note?: string;
  ownUnit?: string;
  peers?: readonly string[];
}

export interface BenchResult {
  mode: BenchMode;
  date: string;
  durationS: number;
  interrupted: boolean;
  /** The filter words of a filtered run (lower case); absent when every row was run. */
  filter?: string[];
  /** The directions measured, when not both (absent: forward and backward). */
  directions?: Direction[];
  machine: MachineInfo;
  versions: Record<string, string>;
  sizes: number[];
  channels: number;
  entries: EntryInfo[];
  measurements: Measurement[];
  rejected: Rejected[];
  unavailable: Unavailable[];
}

export type ProgressEvent =
  | { kind: 'start'; total: number }
  | { kind: 'step'; done: number; total: number; label: string }
  | { kind: 'note'; message: string };
