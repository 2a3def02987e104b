/**
 * TensorFlow.js LayersModel → ONNX bytes. The model's interface stays as in tfjs (NHWC images,
 * the same input and output shapes, inputs named after the input layers, outputs after the
 * output layers); inside, convolutions and pooling run in NCHW with transposes only where the
 * element order is observable.
 */
import { ApaluInputError } from '@apalu/core';
import { APALU_DOMAIN, DEFAULT_FORMULATION, apaluFunction, apaluOpset, checkInlineFunctions, checkOpset } from '../function.js';
import type { Formulation } from '../formulations.js';
import { type Dim, encodeModel, floatValueInfo, node } from '../proto.js';
import { ExportError } from './errors.js';
import { GraphBuilder, type Value } from './graph.js';
import { converters, supportedLayers } from './layers/index.js';
import { type TfjsModel, type TfjsSymbolicTensor, isTfjsModel } from './tfjs-types.js';

export interface ExportOptions {
  /** Body of the APALU function (default 'shared-exp', the fastest measured). */
  formulation?: Formulation;
  /** Name of the symbolic batch dimension (default 'batch'); a number fixes the batch size. */
  batch?: string | number;
  /**
   * Default-domain opset the model imports (13..21, default 13). Every op the exporter writes
   * means the same for float32 in each of them; pick the one your other tools expect.
   */
  opset?: number;
  /**
   * true: each Apalu layer is written out as plain ONNX nodes (Exp, Mul, Where, …) and the model
   * has no model-local function and no `ai.apalu` opset import, for tools that drop local
   * functions (onnx.version_converter) or do not support them. Default false: one
   * `ai.apalu.Apalu` function called once per layer.
   */
  inlineFunctions?: boolean;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * The batch option: a positive integer fixes the batch size, a non-empty string names the
 * symbolic dimension (undefined → 'batch'). −1, 1.5, 0 or {} would be written into the model
 * and fail only when a runtime loads or runs it.
 */
export function checkBatch(batch: unknown): Dim {
  if (batch === undefined) return 'batch';
  if ((typeof batch === 'string' && batch.trim().length > 0) || (typeof batch === 'number' && Number.isSafeInteger(batch) && batch >= 1)) return batch;
  throw new ApaluInputError(
    'E_OPTION',
    `batch = ${shown(batch)}: exportTfjsModel takes a positive integer (a fixed batch size, e.g. { batch: 1 }) or a non-empty name for a symbolic batch dimension (e.g. { batch: 'N' }; the default is 'batch'); pass one of those, or leave batch out.`,
  );
}

function isContainer(layer: object): layer is TfjsModel {
  return isTfjsModel(layer);
}

/** Converts the model (Sequential or functional, nested models included) to ONNX model bytes. */
export function exportTfjsModel(model: TfjsModel, options: ExportOptions = {}): Uint8Array {
  if (!isTfjsModel(model)) {
    throw new ExportError('E_MODEL', 'exportTfjsModel(model): model must be a tf.LayersModel (tf.sequential() or tf.model()) that has been built; call model.build() or give the first layer an inputShape.');
  }
  if (model.inputs.length === 0 || model.outputs.length === 0) {
    throw new ExportError('E_MODEL', `model "${model.name}" has no inputs or outputs yet: give the first layer an inputShape (or call model.build(shape)) before exporting.`);
  }
  const opset = checkOpset(options.opset, 'exportTfjsModel');
  const inline = checkInlineFunctions(options.inlineFunctions, 'exportTfjsModel');
  const formulation = options.formulation ?? DEFAULT_FORMULATION;
  const g = new GraphBuilder();
  let apaluUsed = false;
  const batch: Dim = checkBatch(options.batch);
  // Values by scope and tensor id. A nested model's inner tensors keep their ids on every call
  // of the model, so each call walks them in its own scope (the call path, e.g. "/inner#1"):
  // a model applied twice then computes each call's outputs from that call's inputs.
  const values = new Map<string, Value>();
  const key = (scope: string, t: TfjsSymbolicTensor) => `${scope}|${t.id}`;

  const inputs = model.inputs.map((t, i) => {
    if (t.dtype !== 'float32') throw new ExportError('E_DTYPE', `input "${t.sourceLayer.name}" has dtype ${t.dtype}; only float32 inputs are supported.`);
    const name = t.sourceLayer.name;
    g.reserve(name);
    values.set(key('', t), { name, shape: t.shape, nchw: false });
    return floatValueInfo(name, t.shape.map((d, axis) => (axis === 0 ? batch : (d ?? `${name}_dim${axis}_${i}`))));
  });

  const visit = (t: TfjsSymbolicTensor, scope: string, stack: Set<string>): Value => {
    const id = key(scope, t);
    const known = values.get(id);
    if (known) return known;
    const layer = t.sourceLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      throw new ExportError('E_MODEL', `input layer "${layer.name}" is not among the model's inputs; export the model whose inputs include it.`);
    }
    if (stack.has(id)) throw new ExportError('E_MODEL', `the graph has a cycle at layer "${layer.name}".`);
    stack.add(id);
    const call = layer.inboundNodes[t.nodeIndex];
    if (call === undefined) throw new ExportError('E_MODEL', `layer "${layer.name}" has no call #${t.nodeIndex}; was the model built?`);
    const ins = call.inputTensors.map((i) => visit(i, scope, stack));
    let outs: Value[];
    if (isContainer(layer)) {
      // A nested model: map its inputs to this call's values and walk its graph in the call's scope.
      const inner = `${scope}/${layer.name}#${t.nodeIndex}`;
      layer.inputs.forEach((input, i) => values.set(key(inner, input), ins[i]!));
      outs = layer.outputs.map((output) => visit(output, inner, stack));
    } else {
      const convert = converters[className];
      if (convert === undefined) {
        throw new ExportError(
          'E_UNSUPPORTED_LAYER',
          `layer "${layer.name}" (${className}) is not supported by exportTfjsModel. Supported layers: ${supportedLayers.join(', ')}.`,
        );
      }
      outs = convert({
        g,
        layer,
        config: layer.getConfig() as Record<string, unknown>,
        inputs: ins,
        outputShapes: call.outputTensors.map((o) => o.shape),
        useApalu: () => {
          apaluUsed = true;
        },
        apalu: { formulation, inline },
      });
    }
    call.outputTensors.forEach((o, i) => values.set(key(scope, o), outs[i]!));
    stack.delete(id);
    return values.get(id)!;
  };

  // Output names are the output layers' names (with the tensor index when a layer gives several);
  // reserved first, so the internal tensors of those layers get suffixed names instead.
  const outputNames = model.outputs.map((t) =>
    g.name(model.outputs.filter((o) => o.sourceLayer === t.sourceLayer).length > 1 ? `${t.sourceLayer.name}_${t.tensorIndex}` : t.sourceLayer.name),
  );
  const outputs = model.outputs.map((t, i) => {
    const value = g.toTfjs(visit(t, '', new Set()));
    const name = outputNames[i]!;
    // Outputs keep tfjs names and order; Identity lets one tensor be several outputs (ORT removes it).
    g.nodes.push(node('Identity', { inputs: [value.name], outputs: [name], name: `${name}/output_${i}` }));
    return floatValueInfo(name, value.shape.map((d, axis) => (axis === 0 ? batch : (d ?? `${name}_dim${axis}`))));
  });

  return encodeModel({
    name: model.name,
    nodes: g.nodes,
    inputs,
    outputs,
    initializers: g.initializers,
    functions: apaluUsed ? [apaluFunction(formulation, { opset })] : [],
    opsets: apaluUsed ? [apaluOpset] : [],
    opset,
    docString: `Exported from TensorFlow.js by @apalu/onnx${apaluUsed ? `; Apalu layers are calls of the model-local function ${APALU_DOMAIN}.Apalu` : inline ? '; Apalu layers (if any) are written out as plain ONNX nodes' : ''}.`,
  });
}
