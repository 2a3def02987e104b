/** Maps a and b's shape against x's to the (C, S) layout the kernels take, or null where only the composed path works. */
import { ApaluInputError, type ResolvedLayout } from '@apalu/core';

/**
 * Right-aligns the parameter shape against x's shape (numpy broadcasting) and checks that a
 * parameter of that shape broadcasts into x without changing x's shape.
 */
export function alignParamShape(xShape: readonly number[], paramShape: readonly number[]): number[] {
  if (paramShape.length > xShape.length) {
    throw new ApaluInputError(
      'E_SHAPE',
      `a and b have shape [${paramShape.join(', ')}] (rank ${paramShape.length}) but x has rank ${xShape.length}: ` +
        'the parameters must broadcast into x, e.g. shape [C] for channels-last data.',
    );
  }
  const aligned = [...new Array<number>(xShape.length - paramShape.length).fill(1), ...paramShape];
  for (let i = 0; i < aligned.length; i++) {
    const p = aligned[i] as number;
    if (p !== 1 && p !== xShape[i]) {
      throw new ApaluInputError(
        'E_SHAPE',
        `a and b have shape [${paramShape.join(', ')}], which does not broadcast into x's shape [${xShape.join(', ')}] ` +
          `(axis ${i}: ${p} vs ${String(xShape[i])}); each parameter axis must be 1 or equal x's axis.`,
      );
    }
  }
  return aligned;
}

/**
 * Maps a parameter shape to the (C, S) layout of @apalu/core's SPEC.md — channel of flat element i is floor(i / S) mod C —
 * or returns null when it does not map (the parameter varies along non-adjacent axes, e.g.
 * sharedAxes = [2] on rank-4 input), in which case only the composed path can compute it.
 */
export function paramLayout(xShape: readonly number[], paramShape: readonly number[]): ResolvedLayout | null {
  const aligned = alignParamShape(xShape, paramShape);
  let first = -1;
  let last = -1;
  let gap = false;
  for (let i = 0; i < aligned.length; i++) {
    // An axis of extent 1 in x takes no part in the flat layout, whatever the parameter says.
    if (xShape[i] === 1) continue;
    if (aligned[i] === 1) {
      if (first >= 0) gap = true;
    } else {
      if (gap) return null;
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return { channels: 1, inner: 1 };
  let channels = 1;
  for (let i = first; i <= last; i++) channels *= xShape[i] as number;
  let inner = 1;
  for (let i = last + 1; i < xShape.length; i++) inner *= xShape[i] as number;
  return { channels, inner };
}
