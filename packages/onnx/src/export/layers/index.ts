// The layer converters by tfjs class name: one file per layer family in this folder. Each takes the
// layer's input values and returns its output values, in NCHW where ONNX needs it (Conv, pooling)
// and in tfjs order where the order of elements is observable (Dense on the last axis, Flatten, Reshape).
import { activation, elu, leakyRelu, prelu, relu, softmax } from './activation.js';
import { apalu } from './apalu.js';
import type { Converter } from './common.js';
import { conv2d, depthwiseConv2d, globalPool, pool } from './convolution.js';
import { dense, flatten, identity, reshape } from './core.js';
import { concatenate, merge } from './merge.js';
import { batchNormalization } from './normalization.js';

export type { Converter, LayerContext } from './common.js';

/** tfjs class name → converter. Identity layers are the ones that do nothing at inference. */
export const converters: Record<string, Converter> = {
  Dense: dense,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  BatchNormalization: batchNormalization,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
  Activation: activation,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  Softmax: softmax,
  PReLU: prelu,
  Apalu: apalu,
};

export const supportedLayers = ['InputLayer', ...Object.keys(converters)];
