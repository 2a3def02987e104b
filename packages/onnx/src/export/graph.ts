/**
 * The graph under construction. Every value remembers its tfjs shape (batch first, NHWC for
 * images) and whether ONNX holds it as NCHW. Conv and pooling need NCHW; Flatten, Reshape, Dense
 * and the model outputs need tfjs order. Transposes are added only where a consumer needs the
 * other order, and reused by every later consumer, so a conv stack keeps NCHW throughout.
 */
import { attribute, floatTensor, int64Tensor, node, type FunctionProto, type NodeProto, type TensorProto } from '../proto.js';

export type TfShape = readonly (number | null)[];

export interface Value {
  name: string;
  /** The shape as tfjs reports it (batch first, channels last). */
  shape: TfShape;
  /** True when the ONNX tensor is the tfjs tensor transposed NHWC → NCHW (rank 4 only). */
  nchw: boolean;
}

export const TO_NCHW = [0, 3, 1, 2] as const;
export const TO_NHWC = [0, 2, 3, 1] as const;

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly functions = new Map<string, FunctionProto>();
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  /** A fresh tensor name based on `base`. */
  name(base: string): string {
    let candidate = base;
    for (let i = 1; this.used.has(candidate); i++) candidate = `${base}_${i}`;
    this.used.add(candidate);
    return candidate;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  add(opType: string, inputs: string[], outputBase: string, attributes?: ReturnType<typeof attribute>[], domain?: string): string {
    const output = this.name(outputBase);
    this.nodes.push(node(opType, { inputs, outputs: [output], name: output, ...(attributes ? { attributes } : {}), ...(domain ? { domain } : {}) }));
    return output;
  }

  /** A float32 initializer; returns its name. */
  weight(base: string, dims: readonly number[], values: Float32Array): string {
    const name = this.name(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  ints(base: string, values: readonly number[]): string {
    const name = this.name(base);
    this.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  }

  /** The value in NCHW (rank 4) — a no-op when it already is. */
  toNCHW(value: Value): Value {
    if (value.nchw || value.shape.length !== 4) return value;
    return this.transpose(value, true);
  }

  /** The value in tfjs order — a no-op unless it is held as NCHW. */
  toTfjs(value: Value): Value {
    return value.nchw ? this.transpose(value, false) : value;
  }

  private transpose(value: Value, nchw: boolean): Value {
    const key = `${value.name}|${nchw}`;
    const cached = this.transposed.get(key);
    if (cached) return cached;
    const perm = nchw ? TO_NCHW : TO_NHWC;
    const name = this.add('Transpose', [value.name], `${value.name}/${nchw ? 'nchw' : 'nhwc'}`, [attribute('perm', [...perm])]);
    const out: Value = { name, shape: value.shape, nchw };
    this.transposed.set(key, out);
    return out;
  }
}

/** The ONNX axis that holds tfjs axis `axis` (negative counts from the end) of `value`. */
export function onnxAxis(value: Value, axis: number): number {
  const rank = value.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  return value.nchw ? TO_NCHW.indexOf(a as 0 | 1 | 2 | 3) : a;
}
