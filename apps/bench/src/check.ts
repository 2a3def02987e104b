import { ACCURACY_CLASSES, type ClassLimits, type SumReference, sumError } from '@apalu/conformance';
import type { AccuracyClass } from '@apalu/core';
import type { Direction, RunOutput, SizedInput } from './types.js';

function worst(name: string, got: ArrayLike<number> | undefined, want: Float32Array, measure: (g: number, w: number) => number, limit: number): string | null {
  if (!got || got.length !== want.length) return `${name} has length ${got?.length ?? 'none'}, expected ${want.length}`;
  let bad = -1;
  let error = 0;
  for (let i = 0; i < want.length; i++) {
    const e = measure(got[i] as number, want[i] as number);
    if (!(e <= error)) {
      error = e;
      bad = i;
    }
  }
  return error > limit ? `${name}[${bad}] = ${got[bad]} but the reference is ${want[bad]} (error ${error.toPrecision(3)} > ${limit})` : null;
}

function sums(name: string, got: ArrayLike<number> | undefined, want: SumReference[], limits: ClassLimits): string | null {
  if (!got || got.length !== want.length) return `${name} has length ${got?.length ?? 'none'}, expected ${want.length}`;
  for (let c = 0; c < want.length; c++) {
    const e = sumError(got[c] as number, want[c] as SumReference, limits);
    if (!(e <= limits.sumRelative)) return `${name}[${c}] = ${got[c]} but the reference sum is ${want[c]?.value} (relative error ${e.toPrecision(3)} > ${limits.sumRelative})`;
  }
  return null;
}

/**
 * Checks an APALU result against @apalu/core's float64 reference within the entry's SPEC
 * accuracy class (the same limits the conformance kit uses). Returns the first problem or null.
 */
export function checkApalu(output: RunOutput, input: SizedInput, direction: Direction, accuracy: AccuracyClass): string | null {
  const limits = ACCURACY_CLASSES[accuracy];
  const ref = input.reference();
  if (direction === 'forward') {
    if (!(output instanceof Float32Array)) return 'forward did not return a Float32Array';
    return worst('y', output, ref.f, limits.measure, limits.elementwise);
  }
  if (output instanceof Float32Array) return 'backward returned one array, expected { dx, da, db }';
  return (
    worst('dx', output.dx, ref.dx, limits.measure, limits.elementwiseScaled) ??
    sums('da', output.da, ref.general.da, limits) ??
    sums('db', output.db, ref.general.db, limits)
  );
}

/** |got − want| ≤ max(tol, tol·|want|) for every element: the check for peers' own functions. */
export function checkClose(name: string, got: ArrayLike<number> | undefined, want: (i: number) => number, n: number, tol = 1e-4): string | null {
  if (!got || got.length !== n) return `${name} has length ${got?.length ?? 'none'}, expected ${n}`;
  for (let i = 0; i < n; i++) {
    const w = want(i);
    const g = got[i] as number;
    if (!(Math.abs(g - w) <= Math.max(tol, tol * Math.abs(w)))) return `${name}[${i}] = ${g}, expected ${w}`;
  }
  return null;
}
