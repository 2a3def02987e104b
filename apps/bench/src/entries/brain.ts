import { apalu } from '@apalu/core';
import type { BenchEntry, Family, SizedInput } from '../types.js';

const IO = 4;
/** brain.js keeps one Float32Array per neuron: past this, set-up time and memory dominate. */
const MAX_NEURONS = 256 * 1024;

type Activation = 'apalu' | 'relu' | 'sigmoid';

/** The parts of a brain.js NeuralNetwork used here (ApaluNeuralNetwork adds apaluA/apaluB). */
interface Net {
  initialize(): void;
  run(input: Float32Array): Float32Array;
  trainPattern(pattern: { input: Float32Array; output: Float32Array }): unknown;
  weights: Float32Array[][];
  biases: Float32Array[];
  outputs: Float32Array[];
  apaluA?: Float32Array[];
  apaluB?: Float32Array[];
}

const ACTIVATIONS: Record<Activation, (sum: number, net: Net, node: number) => number> = {
  apalu: (sum, net, node) => apalu(sum, net.apaluA?.[1]?.[node] as number, net.apaluB?.[1]?.[node] as number),
  relu: (sum) => Math.max(sum, 0),
  sigmoid: (sum) => 1 / (1 + Math.exp(-sum)),
};

/**
 * The hidden layer's outputs after one run() against its definition, with the network's own
 * weights (APALU: @apalu/core's float64 apalu with each neuron's a, b). Throws on a mismatch.
 */
function validateHiddenLayer(net: Net, input: Float32Array, activation: Activation): void {
  net.run(input);
  const weights = net.weights[1] as Float32Array[];
  const biases = net.biases[1] as Float32Array;
  const out = net.outputs[1] as Float32Array;
  for (let node = 0; node < out.length; node++) {
    let sum = biases[node] as number;
    const w = weights[node] as Float32Array;
    for (let k = 0; k < IO; k++) sum += (w[k] as number) * (input[k] as number);
    const want = ACTIVATIONS[activation](sum, net, node);
    const got = out[node] as number;
    if (!(Math.abs(got - want) <= Math.max(1e-5, 1e-5 * Math.abs(want)))) {
      throw new Error(`hidden neuron ${node}: ${activation}(${sum}) = ${got}, expected ${want}`);
    }
  }
}

/**
 * A brain.js network IO–N–IO (N = the size: N hidden neurons, one activation each) with
 * per-neuron APALU from @apalu/brain beside brain.js's own relu and sigmoid. forward = run(),
 * backward = one training step (trainPattern: forward, backprop, SGD update). The hidden
 * layer's outputs are checked against the definitions before timing.
 */
export async function loadBrain(): Promise<Family> {
  const { ApaluNeuralNetwork } = await import('@apalu/brain');
  const brain = await import('brain.js');
  const make = (activation: Activation, n: number): Net => {
    const options = { inputSize: IO, hiddenLayers: [n], outputSize: IO, activation, learningRate: 0.01 };
    const net = (activation === 'apalu' ? new ApaluNeuralNetwork({ ...options, seed: 1 }) : new brain.NeuralNetwork(options)) as unknown as Net;
    net.initialize();
    return net;
  };
  const entry = (activation: Activation): BenchEntry => ({
    id: activation === 'apalu' ? 'brain-apalu' : `brain.js ${activation}`,
    role: activation === 'apalu' ? 'apalu' : 'peer',
    source: activation === 'apalu' ? '@apalu/brain' : 'brain.js',
    group: 'brain.js NeuralNetwork (4–N–4)',
    note: activation === 'apalu' ? 'per-neuron a, b; backward = training step' : 'backward = training step',
    ownUnit: 'a 4–N–4 network: forward = run(), backward = trainPattern()',
    directions: ['forward', 'backward'],
    maxSize: MAX_NEURONS,
    ...(activation === 'apalu' ? { peers: ['brain.js relu', 'brain.js sigmoid'] } : {}),
    check: () => null,
    prepare: async (input: SizedInput, direction) => {
      const net = make(activation, input.n);
      const x = input.x.slice(0, IO);
      const target = Float32Array.from({ length: IO }, (_, i) => 0.25 + 0.5 * (i % 2));
      validateHiddenLayer(net, x, activation);
      const pattern = { input: x, output: target };
      return {
        run: () => {
          if (direction === 'forward') return net.run(x);
          net.trainPattern(pattern);
          return net.outputs[1] as Float32Array;
        },
      };
    },
  });
  return { entries: [entry('apalu'), entry('relu'), entry('sigmoid')], unavailable: [] };
}
