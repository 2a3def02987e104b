/**
 * APALU as an ONNX model-local function: a FunctionProto in the custom domain `ai.apalu` whose
 * body uses only default-domain ops of opset 13 (unchanged for float32 through opset 21, so the
 * function can import any of 13..21 to match its model), and every runtime that inlines local
 * functions (onnxruntime-web, onnxruntime-node, onnx's reference evaluator) runs it without a
 * custom kernel.
 */
import { ApaluInputError, float32Params, type ParamArray } from '@apalu/core';
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

/** The default-domain opsets `apaluFunction` can import: every op of every body has the same float32 semantics in 13..21. */
const MIN_FUNCTION_OPSET = 13;
const MAX_FUNCTION_OPSET = 21;

export interface ApaluFunctionOptions {
  /**
   * Default-domain opset the function imports (13..21, default 13). The ONNX checker requires a
   * model-local function to import the same default-domain version as the model that holds it,
   * so set this to your model's opset when you add the function to your own graph.
   */
  opset?: number;
}

/**
 * Checks a default-domain opset option (13..21; undefined → 13). `who` names the call in the
 * message, e.g. 'exportTfjsModel' or 'apaluFunction'.
 */
export function checkOpset(opset: unknown, who: string): number {
  if (opset === undefined) return ONNX_OPSET;
  if (!(typeof opset === 'number' && Number.isInteger(opset) && opset >= MIN_FUNCTION_OPSET && opset <= MAX_FUNCTION_OPSET)) {
    throw new ApaluInputError(
      'E_OPSET',
      `opset = ${typeof opset === 'string' ? JSON.stringify(opset) : String(opset)}: ${who} writes default-domain opsets ${MIN_FUNCTION_OPSET}..${MAX_FUNCTION_OPSET} (default ${ONNX_OPSET}); pass an integer in that range, e.g. { opset: 17 } (for a function in your own graph, your model's opset_import version for domain '').`,
    );
  }
  return opset;
}

/** Checks the `inlineFunctions` option (undefined → false). */
export function checkInlineFunctions(inline: unknown, who: string): boolean {
  if (inline === undefined) return false;
  if (typeof inline !== 'boolean') {
    throw new ApaluInputError(
      'E_OPTION',
      `inlineFunctions = ${typeof inline === 'string' ? JSON.stringify(inline) : String(inline)}: ${who} takes true (APALU written out as plain ONNX nodes, no model-local function) or false (the default, one ai.apalu.Apalu function); pass a boolean.`,
    );
  }
  return inline;
}

/**
 * The FunctionProto `ai.apalu.Apalu(X, A, B) → Y`; A and B broadcast against X (per-channel a, b).
 * `options.opset` is the default-domain version it imports: match the model it goes into.
 */
export function apaluFunction(formulation: Formulation = DEFAULT_FORMULATION, options: ApaluFunctionOptions = {}): FunctionProto {
  const opset = checkOpset(options.opset, 'apaluFunction');
  return {
    name: APALU_OP,
    domain: APALU_DOMAIN,
    input: ['X', 'A', 'B'],
    output: ['Y'],
    node: formulationBody(formulation),
    opsetImport: [{ domain: '', version: opset }],
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
    const shape = options.paramShape;
    if (!Array.isArray(shape)) {
      throw new ApaluInputError('E_LAYOUT', `paramShape = ${String(shape)}: pass an array of dimensions, e.g. [C] or [C, 1, 1].`);
    }
    // Each dimension becomes a TensorProto dim: -1 or 0.5 would write a tensor no runtime loads.
    shape.forEach((d: unknown, i) => {
      if (!(typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
        throw new ApaluInputError(
          'E_LAYOUT',
          `paramShape[${i}] = ${String(d)} (paramShape = [${shape.join(', ')}]): every dimension must be a positive integer; use 1 for an axis a and b broadcast over.`,
        );
      }
    });
    const count = shape.reduce((p, d) => p * d, 1);
    if (count !== channels) {
      throw new ApaluInputError(
        'E_LAYOUT',
        `paramShape = [${shape.join(', ')}] holds ${count} values but a.length = ${channels}: the shape must multiply out to the number of parameters.`,
      );
    }
    return [...shape];
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
  const { channels, a: a32, b: b32 } = float32Params(options.a, options.b);
  const dims = paramShapeFor(channels, options);
  const name = options.name ?? options.output;
  const a = floatTensor(`${name}/a`, dims, a32);
  const b = floatTensor(`${name}/b`, dims, b32);
  return {
    node: node(APALU_OP, { inputs: [options.input, `${name}/a`, `${name}/b`], outputs: [options.output], name, domain: APALU_DOMAIN }),
    initializers: [a, b],
  };
}

/**
 * One call of `ai.apalu.Apalu` written out as plain default-domain nodes (the function inlined
 * by hand): X, A, B become `call.inputs`, Y becomes `call.output`, and every name inside the body
 * gets a name from `fresh` (called once per name, with `${prefix}/${name}`), so the graph holds no
 * model-local function and no ai.apalu opset: what tools that drop local functions
 * (onnx.version_converter) need.
 */
export function inlineApaluCall(
  formulation: Formulation,
  call: { inputs: readonly [string, string, string]; output: string; prefix: string },
  fresh: (base: string) => string,
): NodeProto[] {
  const bound = new Map<string, string>([
    ['X', call.inputs[0]],
    ['A', call.inputs[1]],
    ['B', call.inputs[2]],
    ['Y', call.output],
  ]);
  const rename = (name: string): string => {
    let mapped = bound.get(name);
    if (mapped === undefined) {
      mapped = fresh(`${call.prefix}/${name}`);
      bound.set(name, mapped);
    }
    return mapped;
  };
  const body = formulationBody(formulation);
  // A constant the body never reads (elu-quickgelu's `one`) would be a dead node in the graph.
  const read = new Set(body.flatMap((n) => n.input ?? []));
  return body.filter((n) => n.opType !== 'Constant' || (n.output ?? []).some((o) => read.has(o) || o === 'Y')).map((n) => {
    const inputs = (n.input ?? []).map(rename);
    const outputs = (n.output ?? []).map(rename);
    // A Constant's value tensor carries the body's name; give it the graph's.
    const attrs = n.attribute?.map((a) => (a.t ? { ...a, t: { ...a.t, name: outputs[0]! } } : a));
    return node(n.opType!, { inputs, outputs, name: outputs[0]!, ...(attrs ? { attributes: attrs } : {}) });
  });
}

export interface ApaluModelOptions {
  /**
   * Input shape; strings are symbolic dimensions (default ['batch', C] channels-last,
   * ['batch', C, 'height', 'width'] channels-first). A numeric channel dimension (the last one
   * channels-last, the second channels-first) must equal C unless C = 1.
   */
  shape?: readonly Dim[];
  a: ParamArray;
  b: ParamArray;
  layout?: ChannelLayout;
  formulation?: Formulation;
  /** Default-domain opset of the model and the function (13..21, default 13). */
  opset?: number;
  /** true: APALU as plain ONNX nodes in the graph, no model-local function (default false). */
  inlineFunctions?: boolean;
}

/** Checks a numeric dimension of `shape` and the channel axis against C, so the model cannot be written with a, b that do not fit x. */
function checkModelShape(shape: readonly Dim[], channels: number, layout: ChannelLayout): void {
  if (!Array.isArray(shape)) throw new ApaluInputError('E_LAYOUT', `shape = ${String(shape)}: pass an array of dimensions, e.g. ['batch', ${channels}].`);
  shape.forEach((d: unknown, i) => {
    const ok = typeof d === 'string' ? d.length > 0 : typeof d === 'number' && Number.isSafeInteger(d) && d >= 1;
    if (!ok) {
      throw new ApaluInputError(
        'E_LAYOUT',
        `shape[${i}] = ${JSON.stringify(d)} (shape = ${JSON.stringify(shape)}): a dimension is a positive integer or a non-empty name for a symbolic size.`,
      );
    }
  });
  const axis = layout === 'channels-first' ? 1 : shape.length - 1;
  if (axis < 0 || axis >= shape.length) {
    throw new ApaluInputError('E_LAYOUT', `shape = ${JSON.stringify(shape)}: a ${layout} input needs a channel axis (rank ≥ ${layout === 'channels-first' ? 2 : 1}).`);
  }
  const dim = shape[axis];
  // C = 1 is one shared pair: a, b of size 1 broadcast over any channel count.
  if (typeof dim === 'number' && channels !== 1 && dim !== channels) {
    throw new ApaluInputError(
      'E_LAYOUT',
      `shape[${axis}] = ${dim} (shape = ${JSON.stringify(shape)}) but a.length = ${channels}: the ${layout} channel axis must hold C = a.length channels (or name it, e.g. 'channels', or pass one shared pair a = [a0], b = [b0]).`,
    );
  }
}

/** A name generator that never repeats a name in `taken` or one it gave before (`base`, `base_1`, …). */
function freshNames(taken: readonly string[]): (base: string) => string {
  const used = new Set(taken);
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

/** A complete model `x → Apalu(x)` with a, b baked in: input 'x', output 'y'. */
export function apaluModel(options: ApaluModelOptions): Uint8Array {
  const { channels } = float32Params(options.a, options.b);
  const layout = options.layout ?? 'channels-last';
  const shape = options.shape ?? (layout === 'channels-last' ? ['batch', channels] : ['batch', channels, 'height', 'width']);
  const { node: apalu, initializers } = apaluNode({ input: 'x', output: 'y', a: options.a, b: options.b, layout, rank: shape.length, name: 'apalu' });
  checkModelShape(shape, channels, layout);
  const opset = checkOpset(options.opset, 'apaluModel');
  const inline = checkInlineFunctions(options.inlineFunctions, 'apaluModel');
  const formulation = options.formulation ?? DEFAULT_FORMULATION;
  return encodeModel({
    name: 'apalu',
    nodes: inline ? inlineApaluCall(formulation, { inputs: apalu.input as [string, string, string], output: 'y', prefix: 'apalu' }, freshNames(['x', 'y', ...initializers.map((t) => t.name!)])) : [apalu],
    inputs: [floatValueInfo('x', shape)],
    outputs: [floatValueInfo('y', shape)],
    initializers,
    // The function must import the model's default-domain opset (ONNX checker).
    functions: inline ? [] : [apaluFunction(formulation, { opset })],
    opsets: inline ? [] : [apaluOpset],
    opset,
  });
}
