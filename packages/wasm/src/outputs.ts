// Caller-given outputs of the array calls (`forward(x, a, b, { out })`, `backward(x, dy, a, b, { out: { dx, da, db } })`): their types and the checks they get before anything is written (type, live buffer, length, overlaps).
import { type ApaluLayout, ApaluInputError, type ParamArray, assertReadable } from '@apalu/core';

/** forward's options: the layout, and an array to write f(x) into. */
export interface WasmForwardOptions extends ApaluLayout {
  /**
   * Where f(x) goes (a Float32Array of x.length), returned by the call: `x` itself (in place) or
   * an array that overlaps none of x, a, b. Written while the call runs; omitted: a new array.
   */
  out?: Float32Array;
}

/** backward's caller-given outputs; each one omitted is a new array. */
export interface WasmBackwardOutputs {
  /** x.length floats; may be `dy` or `x` itself (in place), no other overlap. */
  dx?: Float32Array;
  /** C floats each, overlapping nothing else. */
  da?: Float32Array;
  db?: Float32Array;
}

/** backward's options: the layout, and arrays to write dx, da, db into. */
export interface WasmBackwardOptions extends ApaluLayout {
  out?: WasmBackwardOutputs;
}

const ALLOWED = 'Allowed: forward out = x, backward dx = dy or dx = x (the same array: same buffer, offset and length); every other overlap is refused.';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : `${typeof value} ${String(value)}`;
}

/** A caller-given output: a live Float32Array of `length` elements. */
function checkArray(name: string, value: unknown, length: number, what: string): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new ApaluInputError('E_TYPE', `${name} is ${describe(value)}: it must be a Float32Array of ${what} (${length}); pass new Float32Array(${length}), or leave it out for a new array.`);
  }
  assertReadable(name, value);
  if (value.length !== length) {
    throw new ApaluInputError('E_LENGTH', `${name}.length = ${value.length} but the call writes ${length} values (${what}); pass a Float32Array of length ${length}.`);
  }
  return value;
}

interface Range {
  name: string;
  buffer: ArrayBufferLike;
  from: number;
  to: number;
}

const rangeOf = (name: string, value: unknown): Range | undefined =>
  ArrayBuffer.isView(value) && value.byteLength > 0 ? { name, buffer: value.buffer, from: value.byteOffset, to: value.byteOffset + value.byteLength } : undefined;

/**
 * Refuses a written array that shares bytes with another argument, except the exact in-place
 * pairs in `inPlace` ([written, read] names, same bytes exactly).
 */
function checkOverlaps(written: Range[], others: Range[], inPlace: ReadonlyArray<readonly [string, string]>): void {
  const all = [...written, ...others];
  for (const w of written) {
    for (const r of all) {
      if (r === w || r.buffer !== w.buffer || !(w.from < r.to && r.from < w.to)) continue;
      const pair = inPlace.find(([a, b]) => a === w.name && b === r.name);
      if (pair !== undefined && w.from === r.from && w.to === r.to) continue;
      const fix = pair !== undefined ? `pass ${w.name} = ${r.name} itself (in place) or an array of its own` : `give ${w.name} an array of its own`;
      throw new ApaluInputError(
        'E_OVERLAP',
        `${w.name} (bytes ${w.from} to ${w.to} of its buffer) overlaps ${r.name} (bytes ${r.from} to ${r.to} of the same buffer): ` +
          `the call writes ${w.name} block by block while it still reads ${r.name}${written.includes(r) ? ` or writes ${r.name}` : ''}, which would give wrong values; ${fix}. ${ALLOWED}`,
      );
    }
  }
}

/** forward's `out`: undefined (a new array), or checked — before anything is written. */
export function checkForwardOut(options: WasmForwardOptions | undefined, x: Float32Array, a: ParamArray, b: ParamArray): Float32Array | undefined {
  const out = options?.out;
  if (out === undefined) return undefined;
  const checked = checkArray('out', out, x.length, 'x.length, f(x) element for element');
  checkOverlaps([rangeOf('out', checked)].filter((r) => r !== undefined), [rangeOf('x', x), rangeOf('a', a), rangeOf('b', b)].filter((r) => r !== undefined), [['out', 'x']]);
  return checked;
}

/** backward's `out`: the arrays given (each may be left out), checked — before anything is written. */
export function checkBackwardOut(
  options: WasmBackwardOptions | undefined,
  x: Float32Array,
  dy: Float32Array,
  a: ParamArray,
  b: ParamArray,
  channels: number,
): WasmBackwardOutputs {
  const out = options?.out;
  if (out === undefined) return {};
  if (out === null || typeof out !== 'object' || ArrayBuffer.isView(out)) {
    throw new ApaluInputError('E_TYPE', `out is ${describe(out)}: backward takes out as an object { dx?, da?, db? } of Float32Arrays (dx: x.length, da and db: C values).`);
  }
  const given: WasmBackwardOutputs = {};
  if (out.dx !== undefined) given.dx = checkArray('out.dx', out.dx, x.length, 'x.length, dx element for element');
  if (out.da !== undefined) given.da = checkArray('out.da', out.da, channels, 'C, one per channel');
  if (out.db !== undefined) given.db = checkArray('out.db', out.db, channels, 'C, one per channel');
  const written = [rangeOf('out.dx', given.dx), rangeOf('out.da', given.da), rangeOf('out.db', given.db)].filter((r) => r !== undefined);
  checkOverlaps(written, [rangeOf('x', x), rangeOf('dy', dy), rangeOf('a', a), rangeOf('b', b)].filter((r) => r !== undefined), [
    ['out.dx', 'dy'],
    ['out.dx', 'x'],
  ]);
  return given;
}

/**
 * Refuses an array that views the backend's own memory above what `reserve()` claimed: the call
 * copies its blocks there, over the array's bytes. Views inside [0, claimed) are the caller's.
 */
export function checkOwnMemory(memory: WebAssembly.Memory, claimed: number, arrays: ReadonlyArray<readonly [string, unknown]>): void {
  const buffer = memory.buffer;
  for (const [name, value] of arrays) {
    if (!ArrayBuffer.isView(value) || value.buffer !== buffer || value.byteLength === 0) continue;
    const end = value.byteOffset + value.byteLength;
    if (end <= claimed) continue;
    throw new ApaluInputError(
      'E_OVERLAP',
      `${name} views the backend's own memory (bytes ${value.byteOffset} to ${end}) above the ${claimed} bytes claimed with reserve(): ` +
        `the call uses that memory for its blocks and would overwrite ${name}; claim its bytes with backend.reserve(${end}) first (then re-create the view), or pass an array of its own.`,
    );
  }
}
