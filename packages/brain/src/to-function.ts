/** Generates the source of a standalone function that computes a network's run() bit for bit, APALU included (toFunction). */
import { APALU_K, ApaluInputError } from '@apalu/core';

export interface NetworkSnapshot {
  sizes: readonly number[];
  weights: ReadonlyArray<ReadonlyArray<ArrayLike<number>> | undefined>;
  biases: ReadonlyArray<ArrayLike<number> | undefined>;
  a: ReadonlyArray<ArrayLike<number> | undefined>;
  b: ReadonlyArray<ArrayLike<number> | undefined>;
  inputLookup: Readonly<Record<string, number>> | null;
  outputLookup: Readonly<Record<string, number>> | null;
}

/**
 * @apalu/core's `apalu` as source text, so the generated function stands alone. It is the
 * same float64 expression, operation for operation (a test compares it bit for bit).
 */
export const APALU_SOURCE =
  `function apalu(x,a,b){if(x>=0){var s=1/(1+Math.exp(-${APALU_K}*x));return x*(a*(1+s));}` +
  'if(x<0)return b*Math.expm1(x);return NaN;}';

/** A float as JS source that parses back to the identical value (−0 included). */
function literal(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Source of a standalone `function (input)` that computes what `run()` does: each neuron's
 * sum in float64 in brain.js's order, APALU from APALU_SOURCE, and Math.fround where
 * brain.js stores into a Float32Array, so the results equal run()'s bit for bit.
 */
export function networkSource(net: NetworkSnapshot): string {
  const lines: string[] = [APALU_SOURCE, 'var r=Math.fround;'];
  if (net.inputLookup) {
    const lookup = net.inputLookup;
    const keys = Object.keys(lookup).sort((x, y) => (lookup[x] as number) - (lookup[y] as number));
    lines.push(`input=new Float32Array([${keys.map((k) => `input[${JSON.stringify(k)}]`).join(',')}]);`);
  }
  const inputSize = net.sizes[0] ?? 0;
  let previous = Array.from({ length: inputSize }, (_, k) => `(input[${k}]||0)`);
  const outputLayer = net.sizes.length - 1;
  for (let layer = 1; layer <= outputLayer; layer++) {
    const size = net.sizes[layer] ?? 0;
    const names: string[] = [];
    for (let node = 0; node < size; node++) {
      const w = net.weights[layer]?.[node];
      const bias = net.biases[layer]?.[node];
      const a = net.a[layer]?.[node];
      const b = net.b[layer]?.[node];
      if (w === undefined || bias === undefined || a === undefined || b === undefined) {
        throw new ApaluInputError('E_STATE', `toFunction: layer ${layer} node ${node} has no weights, bias, a or b; train the network or load it with fromJSON first.`);
      }
      let sum = literal(bias);
      for (let k = 0; k < w.length; k++) sum += `+(${literal(w[k] as number)})*${previous[k]}`;
      const name = `l${layer}_${node}`;
      lines.push(`var ${name}=r(apalu(${sum},${literal(a)},${literal(b)}));`);
      names.push(name);
    }
    previous = names;
  }
  if (net.outputLookup) {
    const keys = Object.keys(net.outputLookup);
    lines.push(`return {${keys.map((k, i) => `${JSON.stringify(k)}:${previous[net.outputLookup![k] ?? i]}`).join(',')}};`);
  } else {
    lines.push(`return [${previous.join(',')}];`);
  }
  return lines.join('\n');
}
