/**
 * The parts of a TensorFlow.js LayersModel the exporter reads. Declared structurally so the
 * package needs @tensorflow/tfjs only when a model is exported, not to load or type-check.
 */
export interface TfjsSymbolicTensor {
  readonly id: number;
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
  readonly sourceLayer: TfjsLayer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

export interface TfjsLayerNode {
  readonly inputTensors: readonly TfjsSymbolicTensor[];
  readonly outputTensors: readonly TfjsSymbolicTensor[];
}

export interface TfjsLayer {
  readonly name: string;
  getClassName(): string;
  getConfig(): object;
  readonly weights: readonly { readonly name: string; readonly originalName?: string; readonly shape: readonly (number | null)[] }[];
  getWeights(): readonly { readonly shape: readonly number[]; dataSync(): ArrayLike<number> }[];
  readonly inboundNodes: readonly TfjsLayerNode[];
}

export interface TfjsModel extends TfjsLayer {
  readonly inputs: readonly TfjsSymbolicTensor[];
  readonly outputs: readonly TfjsSymbolicTensor[];
  readonly layers: readonly TfjsLayer[];
}

export function isTfjsModel(value: unknown): value is TfjsModel {
  const m = value as Partial<TfjsModel> | null;
  return typeof m === 'object' && m !== null && Array.isArray(m.inputs) && Array.isArray(m.outputs) && Array.isArray(m.layers) && typeof m.getClassName === 'function';
}

/** A layer weight as float32 data with its tfjs shape. */
export interface WeightData {
  data: Float32Array;
  shape: number[];
}

/** The layer's weights keyed by their short name ('kernel', 'bias', 'gamma', 'a', …). */
export function readWeights(layer: TfjsLayer): Map<string, WeightData> {
  const values = layer.getWeights();
  const out = new Map<string, WeightData>();
  layer.weights.forEach((w, i) => {
    const full = w.originalName ?? w.name;
    const short = full.slice(full.lastIndexOf('/') + 1);
    const v = values[i]!;
    out.set(short, { data: Float32Array.from(v.dataSync()), shape: [...v.shape] });
  });
  return out;
}
