import { encodeModel, floatValueInfo, node } from '../src/proto.js';

export { apaluModel, createSession, formulations, type Formulation, type OrtRuntime } from '../src/index.js';

/** A model x → op(x) with one standard unary op, the baseline the APALU function is measured against. */
export function encodeModelForBench(op: 'Elu' | 'Relu', shape: readonly (number | string)[]): Uint8Array {
  return encodeModel({
    name: op.toLowerCase(),
    nodes: [node(op, { inputs: ['x'], outputs: ['y'] })],
    inputs: [floatValueInfo('x', shape)],
    outputs: [floatValueInfo('y', shape)],
  });
}
