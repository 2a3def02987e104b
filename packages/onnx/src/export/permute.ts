/** Reorders the axes of a dense row-major array: out[...] = data[index permuted by perm]. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  // The input stride to step when the output index moves along each output axis.
  const step = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      src += step[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      src -= step[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}
