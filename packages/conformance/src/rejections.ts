/** The rejection cases: invalid inputs a backend must reject with the right ApaluInputError code before writing anything. */
import type { ApaluBackend } from '@apalu/core';

/** Inputs @apalu/core's SPEC.md says a backend must reject before writing anything. */
export interface RejectionCase {
  name: string;
  description: string;
  /** The ApaluInputError code the rejection must carry (call contract, @apalu/core's SPEC.md section 7); any error when absent. */
  code?: string;
  call(backend: ApaluBackend, x: Float32Array): Promise<unknown>;
}

const f = (values: number[]) => Float32Array.from(values);

function both(name: string, description: string, a: number[], b: number[], inner?: number, length = 6): RejectionCase[] {
  const layout = inner === undefined ? undefined : { inner };
  return [
    { name: `${name}/forward`, description, call: (backend, x) => backend.forward(x.subarray(0, length), f(a), f(b), layout) },
    {
      name: `${name}/backward`,
      description,
      call: (backend, x) => backend.backward(x.subarray(0, length), new Float32Array(length).fill(1), f(a), f(b), layout),
    },
  ];
}

/** A Float32Array whose buffer has been transferred away (detached): it reads as length 0. */
function detached(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  structuredClone(v.buffer, { transfer: [v.buffer] });
  return v;
}

/** A view into a resizable ArrayBuffer that was shrunk below its end (out of bounds: length 0 until it grows back). */
function outOfBounds(values: number[]): Float32Array {
  const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
  const buffer = new Resizable(values.length * 4, { maxByteLength: values.length * 8 });
  const v = new Float32Array(buffer, 0, values.length);
  v.set(values);
  buffer.resize(4);
  return v;
}

const X6 = [-2, -0.5, 0, 0.5, 2, 3];
const ONES6 = [1, 1, 1, 1, 1, 1];

/**
 * Call contract points 1 and 2: x and dy only as live Float32Arrays (E_TYPE otherwise, a missing
 * dy too), detached or out-of-bounds x, dy, a, b rejected with E_DETACHED, never an empty result.
 */
function CONTRACT_REJECTIONS(): RejectionCase[] {
  type Args = { x: () => unknown; dy: () => unknown; a: () => unknown; b: () => unknown };
  const live: Args = { x: () => f(X6), dy: () => f(ONES6), a: () => f([1.5]), b: () => f([0.5]) };
  const cases: RejectionCase[] = [];
  const add = (name: string, code: string, description: string, args: Partial<Args>, passes: ('forward' | 'backward')[] = ['forward', 'backward']) => {
    const use = { ...live, ...args };
    for (const pass of passes) {
      cases.push({
        name: `${name}/${pass}`,
        description,
        code,
        call: (backend) => {
          const call = backend[pass] as (...args: unknown[]) => Promise<unknown>;
          return pass === 'forward' ? call.call(backend, use.x(), use.a(), use.b()) : call.call(backend, use.x(), use.dy(), use.a(), use.b());
        },
      });
    }
  };
  add('rejects-detached-x', 'E_DETACHED', 'x whose buffer was transferred (detached)', { x: () => detached(X6) });
  add('rejects-detached-dy', 'E_DETACHED', 'dy whose buffer was transferred (detached)', { dy: () => detached(ONES6) }, ['backward']);
  add('rejects-detached-a', 'E_DETACHED', 'a whose buffer was transferred (detached)', { a: () => detached([1.5]) });
  add('rejects-detached-b', 'E_DETACHED', 'b whose buffer was transferred (detached)', { b: () => detached([0.5]) });
  add('rejects-out-of-bounds-x', 'E_DETACHED', 'x out of bounds of a shrunk resizable ArrayBuffer', { x: () => outOfBounds(X6) });
  add('rejects-out-of-bounds-dy', 'E_DETACHED', 'dy out of bounds of a shrunk resizable ArrayBuffer', { dy: () => outOfBounds(ONES6) }, ['backward']);
  add('rejects-float64-x', 'E_TYPE', 'x as a Float64Array (backends take Float32Array only)', { x: () => Float64Array.from(X6) });
  add('rejects-float64-dy', 'E_TYPE', 'dy as a Float64Array (backends take Float32Array only)', { dy: () => Float64Array.from(ONES6) }, ['backward']);
  add('rejects-array-x', 'E_TYPE', 'x as an array of numbers', { x: () => [...X6] });
  add('rejects-missing-x', 'E_TYPE', 'x undefined', { x: () => undefined });
  add('rejects-missing-dy', 'E_TYPE', 'dy undefined (backward(x, undefined, a, b))', { dy: () => undefined }, ['backward']);
  return cases;
}

export const REJECTION_CASES: readonly RejectionCase[] = [
  ...both('rejects-a-zero', 'a = 0 (SPEC: every a > 0)', [0], [1]),
  ...both('rejects-b-zero', 'b = 0 in the second channel', [1, 1], [1, 0]),
  ...both('rejects-a-negative', 'a = −0.5', [-0.5], [1]),
  ...both('rejects-b-negative', 'b = −1 in the second channel', [1, 1], [1, -1]),
  ...both('rejects-a-nan', 'a = NaN', [Number.NaN], [1]),
  ...both('rejects-b-nan', 'b = NaN', [1], [Number.NaN]),
  ...both('rejects-a-infinite', 'a = +∞', [Number.POSITIVE_INFINITY], [1]),
  ...both('rejects-b-infinite', 'b = +∞', [1], [Number.POSITIVE_INFINITY]),
  ...both('rejects-no-channels', 'a and b empty (C = 0)', [], []),
  ...both('rejects-channel-mismatch', 'a.length = 2, b.length = 3', [1, 1], [1, 1, 1]),
  ...both('rejects-layout', 'x.length = 5 is not a multiple of C·S = 2', [1, 1], [1, 1], 1, 5),
  ...both('rejects-layout-inner', 'x.length = 6 is a multiple of C = 2 but not of C·S = 2·2 = 4', [1, 1], [1, 1], 2, 6),
  ...both('rejects-inner-zero', 'inner = 0', [1], [1], 0),
  ...both('rejects-inner-fraction', 'inner = 1.5', [1], [1], 1.5),
  {
    name: 'rejects-dy-length/backward',
    description: 'dy shorter than x',
    call: (backend, x) => backend.backward(x.subarray(0, 6), new Float32Array(5).fill(1), f([1]), f([1])),
  },
  {
    name: 'rejects-dy-longer/backward',
    description: 'dy longer than x',
    call: (backend, x) => backend.backward(x.subarray(0, 6), new Float32Array(7).fill(1), f([1]), f([1])),
  },
  ...CONTRACT_REJECTIONS(),
];
