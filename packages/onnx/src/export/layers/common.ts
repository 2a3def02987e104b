// What every layer converter shares: the context it gets (graph, layer, config, inputs) and the
// small readers of inputs, weights and config values that fail with the layer named.
import type { Formulation } from '../../formulations.js';
import { ExportError } from '../errors.js';
import type { GraphBuilder, TfShape, Value } from '../graph.js';
import { permute } from '../permute.js';
import type { TfjsLayer, WeightData } from '../tfjs-types.js';

export interface LayerContext {
  g: GraphBuilder;
  layer: TfjsLayer;
  config: Record<string, unknown>;
  inputs: Value[];
  /** tfjs shapes of the layer's outputs at this call. */
  outputShapes: TfShape[];
  /** Registers the APALU function in the model and returns nothing. */
  useApalu(): void;
  /** The APALU body, and whether each call is written out as plain nodes instead of a function call. */
  apalu: { formulation: Formulation; inline: boolean };
}

/** Takes the layer's input values and returns its output values. */
export type Converter = (ctx: LayerContext) => Value[];

export function fail(ctx: LayerContext, what: string): never {
  throw new ExportError('E_CONFIG', `layer "${ctx.layer.name}" (${ctx.layer.getClassName()}): ${what}`);
}

export function single(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) fail(ctx, `expected one input, got ${ctx.inputs.length}.`);
  return ctx.inputs[0]!;
}

export function weight(ctx: LayerContext, weights: Map<string, WeightData>, key: string): WeightData {
  const w = weights.get(key);
  if (w === undefined) fail(ctx, `weight "${key}" not found (the layer has ${[...weights.keys()].join(', ') || 'no weights'}).`);
  return w;
}

/** The layer's bias as an initializer named `<layer>/bias`, or undefined with useBias: false. */
export function biasInput(ctx: LayerContext, weights: Map<string, WeightData>): string | undefined {
  if (ctx.config.useBias === false) return undefined;
  const bias = weight(ctx, weights, 'bias');
  return ctx.g.weight(`${ctx.layer.name}/bias`, bias.shape, bias.data);
}

export function pair(value: unknown, ctx: LayerContext, key: string): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n > 0)) fail(ctx, `${key} = ${JSON.stringify(value)} is not two positive integers.`);
  return [v[0] as number, v[1] as number];
}

/** A single axis from config.axis (a number or a one-element list; default −1). */
export function oneAxis(ctx: LayerContext, what: string): number {
  const axis = ctx.config.axis;
  if (!Array.isArray(axis)) return (axis as number | undefined) ?? -1;
  return axis.length === 1 ? (axis[0] as number) : fail(ctx, `axis = ${JSON.stringify(axis)}: ${what}`);
}

/** Output `index` of the layer as the tensor `name`, held as NCHW when `nchw` and the output is rank 4. */
export function output(ctx: LayerContext, name: string, nchw: boolean, index = 0): Value {
  return { name, shape: ctx.outputShapes[index]!, nchw: nchw && ctx.outputShapes[index]!.length === 4 };
}

/** PReLU-shaped parameters (input shape without batch, shared axes 1) in the value's ONNX order. */
export function elementParams(x: Value, w: WeightData): WeightData {
  if (!x.nchw) return w;
  // tfjs [H, W, C] broadcast against NCHW data must be [C, H, W].
  return permute(w.data, w.shape, [2, 0, 1]);
}
