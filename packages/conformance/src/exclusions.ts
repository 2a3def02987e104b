/** Which elements of a case fall in a variant's excluded input classes, so they are left out of the comparison. */
import { ApaluInputError, INPUT_CLASSES, type InputClass, type InputExclusions } from '@apalu/core';
import type { CaseInput } from './cases.js';

export { INPUT_CLASSES, gpuOpsInputExclusions, type InputClass, type InputElement, type InputExclusions } from '@apalu/core';

/**
 * For each element, whether it (its x, its channel's a or b, or given a backward call's dy, its dy) is in an excluded
 * class, and how many elements each class took (undefined when nothing is excluded). An
 * element in two classes counts for the first.
 */
export function excludedMask(
  { x, a, b, inner }: Pick<CaseInput, 'x' | 'a' | 'b' | 'inner'>,
  exclusions: InputExclusions | undefined,
  dy?: Float32Array,
): { mask: Uint8Array; counts: Map<InputClass, number> } | undefined {
  const names = Object.keys(exclusions ?? {}).map((k) => {
    // Own keys only: 'constructor', 'toString' and the rest of Object.prototype are not input classes.
    if (!Object.hasOwn(INPUT_CLASSES, k)) throw new ApaluInputError('E_OPTION', `excludeInputs: unknown input class '${k}'; use one of ${Object.keys(INPUT_CLASSES).join(', ')}.`);
    return k as InputClass;
  });
  if (names.length === 0) return undefined;
  const mask = new Uint8Array(x.length);
  const counts = new Map<InputClass, number>(names.map((n) => [n, 0]));
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / inner) % a.length;
    const element = { x: x[i] as number, a: a[c] as number, b: b[c] as number, dy: dy?.[i] };
    const hit = names.find((n) => INPUT_CLASSES[n](element));
    if (hit !== undefined) {
      mask[i] = 1;
      counts.set(hit, (counts.get(hit) as number) + 1);
    }
  }
  return { mask, counts };
}
