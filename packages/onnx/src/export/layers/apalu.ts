// The Apalu layer of @apalu/tfjs: a call of the model-local ai.apalu.Apalu function (or its body
// written out as plain nodes), with a and b in PReLU's shape, permuted to NCHW where needed.
import { apaluNode, inlineApaluCall } from '../../function.js';
import { readWeights } from '../tfjs-types.js';
import { type Converter, elementParams, fail, single } from './common.js';

export const apalu: Converter = (ctx) => {
  const { g, layer } = ctx;
  const x = single(ctx);
  const weights = readWeights(layer);
  // The @apalu/tfjs contract: weights [a, b], shaped like PReLU's alpha.
  const [aw, bw] = weights.has('a') && weights.has('b') ? [weights.get('a')!, weights.get('b')!] : [...weights.values()];
  if (aw === undefined || bw === undefined) fail(ctx, `expected weights [a, b], found ${[...weights.keys()].join(', ') || 'none'}.`);
  const a = elementParams(x, aw);
  const b = elementParams(x, bw);
  const out = g.name(layer.name);
  g.reserve(`${out}/a`);
  g.reserve(`${out}/b`);
  const built = apaluNode({ input: x.name, output: out, a: a.data, b: b.data, paramShape: a.shape, name: out });
  g.initializers.push(...built.initializers);
  if (ctx.apalu.inline) {
    const [input, pa, pb] = built.node.input as [string, string, string];
    g.nodes.push(...inlineApaluCall(ctx.apalu.formulation, { inputs: [input, pa, pb], output: out, prefix: out }, (base) => g.name(base)));
  } else {
    ctx.useApalu();
    g.nodes.push(built.node);
  }
  return [{ ...x, name: out, shape: ctx.outputShapes[0]! }];
};
