import { describe, expect, it } from 'vitest';
import { checkErrorCodes, thrownCodes } from '../src/error-codes.js';
import { fixtureRepo, json } from './fixture-repo.js';

describe('error codes: one taxonomy across packages', () => {
  const thrown = thrownCodes();

  it('finds the throws of every published package', () => {
    const packages = new Set(thrown.map((t) => t.file.split('/').slice(0, 2).join('/')));
    for (const p of ['packages/core', 'packages/wasm', 'packages/webgpu', 'packages/tfjs', 'packages/onnx', 'packages/brain']) expect(packages).toContain(p);
    expect(thrown.length).toBeGreaterThan(100);
  });

  it('every code thrown is listed in APALU_ERROR_CODES with the class of its kind, and every listed code is thrown', () => {
    expect(checkErrorCodes(thrown).problems).toEqual([]);
  });

  it('flags an unlisted code, a code thrown by the class of the other kind, a plain Error with a code and a listed code nobody throws', () => {
    const root = fixtureRepo({
      'package.json': json({ name: 'fixture', private: true }),
      'packages/p/package.json': json({ name: '@fixture/p', version: '1.0.0' }),
      'packages/p/src/a.ts': [
        "throw new ApaluInputError('E_NEW', 'x');",
        "throw new ApaluInputError('E_MEMORY', 'x');",
        "throw new Error('E_TYPE');",
        "throw new ApaluEnvironmentError('E_MEMORY', 'fine');",
        'class MyError extends ApaluInputError {',
        "  constructor() { super('E_TYPE', 'fine'); }",
        '}',
      ].join('\n'),
      'packages/p/src/generated/skip.ts': "throw new ApaluInputError('E_SKIPPED', 'generated code is not read');",
    });
    const found = thrownCodes(root);
    expect(found.map((t) => `${t.line} ${t.className} ${t.code}`)).toEqual([
      '1 ApaluInputError E_NEW',
      '2 ApaluInputError E_MEMORY',
      '3 Error E_TYPE',
      '4 ApaluEnvironmentError E_MEMORY',
      '6 MyError E_TYPE',
    ]);
    const codes = { E_TYPE: { kind: 'input' }, E_MEMORY: { kind: 'environment' }, E_UNUSED: { kind: 'input' } } as const;
    const { problems } = checkErrorCodes(found, codes);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^packages\/p\/src\/a\.ts:1: E_NEW is not in/);
    expect(problems[1]).toMatch(/^packages\/p\/src\/a\.ts:2: E_MEMORY is an environment code but is thrown as ApaluInputError/);
    expect(problems[2]).toMatch(/^packages\/p\/src\/a\.ts:3: E_TYPE is thrown as a Error/);
    // MyError is not one of the known classes.
    expect(problems[3]).toMatch(/a\.ts:6: E_TYPE is thrown as a MyError/);
    expect(problems[4]).toMatch(/^E_UNUSED is listed/);
  });
});
