import { describe, expect, it } from 'vitest';
import { checkStructure, MAX_LINES, sourceFiles } from '../src/structure.js';
import { fixtureRepo, json } from './fixture-repo.js';

describe('structure: one idea per file', () => {
  it('reads the sources of every published package and the wasm assembly', () => {
    const files = sourceFiles();
    expect(files.some((f) => f.endsWith('packages/wasm/assembly/kernels.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('packages/core/src/scalar.ts'))).toBe(true);
    expect(files.some((f) => f.includes('/generated/'))).toBe(false);
  });

  it(`every source file opens with a comment and has at most ${MAX_LINES} lines`, () => {
    expect(checkStructure()).toEqual([]);
  });

  it('flags a long file and one without an opening comment; accepts a shebang before the comment and skips generated code', () => {
    const long = ['// a long file', ...Array.from({ length: MAX_LINES }, (_, i) => `export const v${i} = ${i};`)].join('\n');
    const root = fixtureRepo({
      'package.json': json({ name: 'fixture', private: true }),
      'packages/p/package.json': json({ name: '@fixture/p', version: '1.0.0' }),
      'packages/p/src/long.ts': `${long}\n`,
      'packages/p/src/bare.ts': 'export const x = 1;\n',
      'packages/p/src/cli.ts': '#!/usr/bin/env node\n/** A command. */\nexport {};\n',
      'packages/p/src/generated/big.ts': `${long}\nexport const y = 2;\n`,
      'packages/q/package.json': json({ name: '@fixture/q', private: true }),
      'packages/q/src/bare.ts': 'export const private_ = 1;\n',
    });
    expect(checkStructure(root)).toEqual([
      `packages/p/src/bare.ts: no opening comment; start with one or two lines that say what the file is for`,
      `packages/p/src/long.ts: ${MAX_LINES + 1} lines (at most ${MAX_LINES}); split it by idea`,
    ]);
  });
});
