/** The per-call time limit every backend call of the kit runs under (ms), unless `callTimeout` says otherwise. */
export const DEFAULT_CALL_TIMEOUT = 60_000;

/** A backend call (or dispose/create) that neither resolved nor rejected within the time limit. */
export class CallTimeoutError extends Error {
  readonly ms: number;
  constructor(what: string, ms: number) {
    super(`${what} did not settle within ${ms / 1000} s (the per-call time limit, option callTimeout / --timeout): a call must resolve or reject`);
    this.name = 'CallTimeoutError';
    this.ms = ms;
  }
}

/**
 * Makes the call now (synchronously: the contract cases mutate inputs right after it returns)
 * and settles with it, or rejects with CallTimeoutError after `ms`. A synchronous throw becomes
 * a rejection. The timer is cleared as soon as the call settles.
 */
export function timed<T>(what: string, ms: number, call: () => T | PromiseLike<T>): Promise<Awaited<T>> {
  let pending: Promise<Awaited<T>>;
  try {
    pending = Promise.resolve(call()) as Promise<Awaited<T>>;
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<Awaited<T>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CallTimeoutError(what, ms)), ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** "forward threw RangeError: …" or "forward did not settle within 60 s …" for a failed call. */
export function outcome(what: string, error: unknown): string {
  if (error instanceof CallTimeoutError) return error.message;
  return `${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}
