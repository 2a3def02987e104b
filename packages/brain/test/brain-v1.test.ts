import { describe, expect, it, vi } from 'vitest';

// What `npm i brain.js` installs today (1.6.1) keeps the activation outside the training
// options and writes another JSON format; ApaluNeuralNetwork on top of it must say so.
vi.mock('brain.js', async () => {
  const v1 = (await import('brain.js-1')).default as { NeuralNetwork: unknown };
  return { NeuralNetwork: v1.NeuralNetwork, default: v1 };
});

describe('brain.js 1.6.1', () => {
  it('constructing ApaluNeuralNetwork on it names the version to install', async () => {
    const { ApaluNeuralNetwork } = await import('../src/index.js');
    expect(() => new ApaluNeuralNetwork({ activation: 'apalu' })).toThrow(
      '@apalu/brain needs brain.js 2.0.0-beta.24 (found a brain.js whose training options have no activation, e.g. 1.6.1)',
    );
    expect(() => new ApaluNeuralNetwork()).toThrow('npm i brain.js@2.0.0-beta.24');
    // The installed brain.js is wrong, not the call: an environment error.
    expect(() => new ApaluNeuralNetwork()).toThrow(expect.objectContaining({ code: 'E_BACKEND', kind: 'environment' }));
  });
});
