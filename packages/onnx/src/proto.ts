/**
 * Thin helpers over onnx-proto (protobufjs 6, ONNX 1.10.2 schema: IR 8, FunctionProto).
 * Everything the package emits goes through here, so the IR version and the opsets live in one place.
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

export const { onnx } = onnxProto;
export type NodeProto = OnnxTypes.INodeProto;
export type TensorProto = OnnxTypes.ITensorProto;
export type FunctionProto = OnnxTypes.IFunctionProto;
export type ValueInfoProto = OnnxTypes.IValueInfoProto;
export type ModelProto = OnnxTypes.IModelProto;
export type OperatorSetId = OnnxTypes.IOperatorSetIdProto;

/** IR 8 is what the onnx-proto 8.0.1 schema describes (ONNX 1.10). */
export const IR_VERSION = 8;
/** Default-domain opset: 13 has Softmax over one axis, ReduceSum with axes as an input, Where, Cast to double. */
export const ONNX_OPSET = 13;

export type AttributeValue = number | string | number[] | TensorProto;

/** An attribute; integers and floats are told apart by `kind`, since JS numbers are both. */
export function attribute(name: string, value: AttributeValue, kind: 'int' | 'float' = 'int'): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return kind === 'float' ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value };
  if (Array.isArray(value)) return kind === 'float' ? { name, type: T.FLOATS, floats: value } : { name, type: T.INTS, ints: value };
  return { name, type: T.TENSOR, t: value };
}

export interface NodeSpec {
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: OnnxTypes.IAttributeProto[];
}

export function node(opType: string, spec: NodeSpec): NodeProto {
  return {
    opType,
    input: spec.inputs,
    output: spec.outputs,
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.domain === undefined ? {} : { domain: spec.domain }),
    ...(spec.attributes === undefined ? {} : { attribute: spec.attributes }),
  };
}

/** A float32 initializer (or Constant value). `dims` must multiply out to `values.length`. */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  const count = dims.reduce((p, d) => p * d, 1);
  if (count !== data.length) throw new Error(`internal: tensor ${name} has ${data.length} values for dims [${dims.join(', ')}]`);
  // raw_data is little-endian, which every JS engine that runs ORT uses for typed arrays.
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

export type Dim = number | string;

/** A float32 graph input or output; a string dimension is symbolic (e.g. 'batch'). */
export function floatValueInfo(name: string, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface GraphSpec {
  name: string;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  functions?: FunctionProto[];
  /** Custom-domain opsets the nodes use, e.g. { domain: 'ai.apalu', version: 1 }. */
  opsets?: OperatorSetId[];
  /** Default-domain opset (default ONNX_OPSET = 13); model-local functions must import the same. */
  opset?: number;
  docString?: string;
}

/** Serializes a model: IR 8, the default-domain opset (13 unless `opset`) plus `opsets`. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model: ModelProto = {
    irVersion: IR_VERSION,
    producerName: '@apalu/onnx',
    opsetImport: [{ domain: '', version: spec.opset ?? ONNX_OPSET }, ...(spec.opsets ?? [])],
    graph: {
      name: spec.name,
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers ?? [],
    },
    functions: spec.functions ?? [],
    ...(spec.docString === undefined ? {} : { docString: spec.docString }),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model as Record<string, unknown>)).finish();
}
