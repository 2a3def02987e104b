/**
 * APALU as an ONNX model-local function: a FunctionProto in the custom domain `ai.apalu` whose
 * body uses only default-domain opset-13 ops, so every runtime that inlines local functions
 * (onnxruntime-web, onnxruntime-node, onnx's reference evaluator) runs it without a custom kernel.
 */
import { ApaluInputError, validateParams, type ParamArray } from '@apalu/core';
import { type Formulation, formulationBody, formulationNotes } from './formulations.js';
import {
  type Dim,
  type FunctionProto,
  type NodeProto,
  type OperatorSetId,
  type TensorProto,
  encodeModel,
  floatTensor,
  floatValueInfo,
  node,
  ONNX_OPSET,
} from './proto.js';

export const APALU_DOMAIN = 'ai.apalu';
export const APALU_OP = 'Apalu';
/** The opset import a model needs next to the function: `{ domain: 'ai.apalu', version: 1 }`. */
export const apaluOpset: OperatorSetId = { domain: APALU_DOMAIN, version: 1 };

/** The default body: fastest on onnxruntime-web wasm in bench/bench.ts (see README). */
export const DEFAULT_FORMULATION: Formulation = 'shared-exp';

/** The FunctionProto `ai.apalu.Apalu(X, A, B) → Y`; A and B broadcast against X (per-channel a, b). */
export function apaluFunction(formulation: Formulation = DEFAULT_FORMULATION): FunctionProto {
  return {
    name: APALU_OP,
    domain: APALU_DOMAIN,
    input: ['X', 'A', 'B'],
    output: ['Y'],
    node: formulationBody(formulation),
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    docString: `APALU (arXiv 2402.08244), k = 1.702; formulation "${formulation}": ${formulationNotes[formulation]}`,
  };
}

/** Where the channel axis of the tensor the node acts on is. */
export type ChannelLayout = 'channels-last' | 'channels-first';

export interface ApaluNodeOptions {
  input: string;
  output: string;
  /** Per-channel a (length C; C = 1 shares one pair), every value finite and > 0. */
  a: ParamArray;
  /** Per-channel b, same length as a. */
  b: ParamArray;
  /**
   * 'channels-last' (default; NHWC or [batch, features], inner size S = 1): a, b get shape [C].
   * 'channels-first' (NCHW, S = H·W): a, b get shape [C, 1, …, 1] so they broadcast over axis 1.
   */
  layout?: ChannelLayout;
  /** Rank of the input; needed for 'channels-first' (default 4). */
  rank?: number;
  /** Explicit broadcast shape for a and b (overrides layout), e.g. PReLU-style [H, W, C]. */
  paramShape?: readonly number[];
  /** Node name and prefix of its initializers (default: `output`). */
  name?: string;
}

export interface ApaluNodeResult {
  node: NodeProto;
  /** a and b as float32 initializers named `${name}/a` and `${name}/b`. */
  initializers: TensorProto[];
}

function paramShapeFor(channels: number, options: ApaluNodeOptions): number[] {
  if (options.paramShape !== undefined) {
    const count = options.paramShape.reduce((p, d) => p * d, 1);
    if (count !== channels) {
      throw new ApaluInputError(
        'E_LAYOUT',
        `paramShape = [${options.paramShape.join(', ')}] holds ${count} values but a.length = ${channels}: the shape must multiply out to the number of parameters.`,
      );
    }
    return [...options.paramShape];
  }
  const layout = options.layout ?? 'channels-last';
  if (layout === 'channels-last') return [channels];
  if (layout !== 'channels-first') {
    throw new ApaluInputError('E_LAYOUT', `layout = ${JSON.stringify(layout)}: use 'channels-last' (S = 1) or 'channels-first' (S = H·W).`);
  }
  const rank = options.rank ?? 4;
  if (!(Number.isInteger(rank) && rank >= 2)) {
    throw new ApaluInputError('E_LAYOUT', `rank = ${String(rank)}: a channels-first tensor has rank ≥ 2 ([N, C, …]).`);
  }
  return [channels, ...Array.from({ length: rank - 2 }, () => 1)];
}

/** One `ai.apalu.Apalu` node with its a, b initializers; add `apaluFunction()` and `apaluOpset` to the model. */
export function apaluNode(options: ApaluNodeOptions): ApaluNodeResult {
  const channels = validateParams(options.a, options.b);
  const dims = paramShapeFor(channels, options);
  const name = options.name ?? options.output;
  const a = floatTensor(`${name}/a`, dims, Float32Array.from(options.a));
  const b = floatTensor(`${name}/b`, dims, Float32Array.from(options.b));
  return {
    node: node(APALU_OP, { inputs: [options.input, `${name}/a`, `${name}/b`], outputs: [options.output], name, domain: APALU_DOMAIN }),
    initializers: [a, b],
  };
}

export interface ApaluModelOptions {
  /** Input shape; strings are symbolic dimensions (default ['batch', C] channels-last). */
  shape?: readonly Dim[];
  a: ParamArray;
  b: ParamArray;
  layout?: ChannelLayout;
  formulation?: Formulation;
}

/** A complete model `x → Apalu(x)` with a, b baked in: input 'x', output 'y'. */
export function apaluModel(options: ApaluModelOptions): Uint8Array {
  const channels = validateParams(options.a, options.b);
  const layout = options.layout ?? 'channels-last';
  const shape = options.shape ?? (layout === 'channels-last' ? ['batch', channels] : ['batch', channels, 'height', 'width']);
  const { node: apalu, initializers } = apaluNode({ input: 'x', output: 'y', a: options.a, b: options.b, layout, rank: shape.length, name: 'apalu' });
  return encodeModel({
    name: 'apalu',
    nodes: [apalu],
    inputs: [floatValueInfo('x', shape)],
    outputs: [floatValueInfo('y', shape)],
    initializers,
    functions: [apaluFunction(options.formulation)],
    opsets: [apaluOpset],
  });
}
