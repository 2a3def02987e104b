/** The two error classes every @apalu package throws: the caller's input vs the environment it runs in. */
import { APALU_ERROR_CODES, type ApaluErrorCode, type ApaluErrorKind } from './error-codes.js';

/**
 * The call's own arguments, options or data are wrong: fix the call (the message names the value
 * and the fix). A `RangeError`; nothing was written. `code` is stable (see `APALU_ERROR_CODES`).
 */
export class ApaluInputError extends RangeError {
  readonly code: string;
  readonly kind: 'input' = 'input';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApaluInputError';
    this.code = code;
  }
}

/**
 * The call is fine but this environment cannot run it: a missing framework package or runtime, no
 * WebGPU adapter, a lost device, memory that cannot grow, a worker that failed. Retrying the same
 * call elsewhere (or after fixing the installation) can succeed. `code` is stable.
 */
export class ApaluEnvironmentError extends Error {
  readonly code: string;
  readonly kind: 'environment' = 'environment';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApaluEnvironmentError';
    this.code = code;
  }
}

/**
 * True for an error thrown by any @apalu package (either class, including subclasses such as
 * @apalu/webgpu's ApaluGpuError) — also when it comes from another copy of @apalu/core, where
 * `instanceof` is false: it checks `kind` and a `code` listed in `APALU_ERROR_CODES`.
 */
export function isApaluError(error: unknown): error is (ApaluInputError | ApaluEnvironmentError) & { code: ApaluErrorCode } {
  if (typeof error !== 'object' || error === null) return false;
  const { kind, code } = error as { kind?: unknown; code?: unknown };
  if (typeof code !== 'string' || !Object.hasOwn(APALU_ERROR_CODES, code)) return false;
  return (kind === 'input' || kind === 'environment') && APALU_ERROR_CODES[code as ApaluErrorCode].kind === (kind as ApaluErrorKind);
}
