import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APALU_ERROR_CODES, ApaluEnvironmentError, ApaluInputError, isApaluError, uniform } from '../src/index.js';

describe('errors: input vs environment', () => {
  it('ApaluInputError is a RangeError of kind input; ApaluEnvironmentError an Error of kind environment, with a cause', () => {
    const input = new ApaluInputError('E_PARAM', 'a[0] = 0');
    expect(input).toBeInstanceOf(RangeError);
    expect(input).toMatchObject({ name: 'ApaluInputError', code: 'E_PARAM', kind: 'input', message: 'a[0] = 0' });
    const cause = new Error('grow failed');
    const env = new ApaluEnvironmentError('E_MEMORY', 'memory could not grow', { cause });
    expect(env).toBeInstanceOf(Error);
    expect(env).not.toBeInstanceOf(RangeError);
    expect(env).toMatchObject({ name: 'ApaluEnvironmentError', code: 'E_MEMORY', kind: 'environment', cause });
  });

  it('a real rejection from the library carries a listed code of its kind', () => {
    let thrown: unknown;
    try {
      uniform(2, 1);
    } catch (error) {
      thrown = error;
    }
    expect(isApaluError(thrown)).toBe(true);
    expect(APALU_ERROR_CODES[(thrown as ApaluInputError).code as keyof typeof APALU_ERROR_CODES].kind).toBe('input');
  });

  it('isApaluError accepts errors of another @apalu/core copy (kind + listed code) and refuses the rest', () => {
    // What an error from a second installed copy looks like: not instanceof these classes, same fields.
    const foreign = Object.assign(new RangeError('x'), { code: 'E_TYPE', kind: 'input' });
    expect(foreign).not.toBeInstanceOf(ApaluInputError);
    expect(isApaluError(foreign)).toBe(true);
    expect(isApaluError(new ApaluEnvironmentError('E_NO_ADAPTER', 'x'))).toBe(true);
    expect(isApaluError(Object.assign(new Error('x'), { code: 'E_TYPE', kind: 'environment' }))).toBe(false); // wrong kind for the code
    expect(isApaluError(Object.assign(new Error('x'), { code: 'E_NOT_A_CODE', kind: 'input' }))).toBe(false);
    expect(isApaluError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isApaluError(new Error('x'))).toBe(false);
    expect(isApaluError(null)).toBe(false);
    expect(isApaluError('E_TYPE')).toBe(false);
  });

  it('every listed code has a kind and a one-line meaning', () => {
    for (const [code, { kind, meaning }] of Object.entries(APALU_ERROR_CODES)) {
      expect(code).toMatch(/^E_[A-Z0-9_]+$/);
      expect(['input', 'environment']).toContain(kind);
      expect(meaning.length).toBeGreaterThan(10);
      expect(meaning).not.toMatch(/\n/);
    }
  });

  it("the README's Errors table lists every code with its kind and meaning, in order", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `(E_[A-Z0-9_]+)` \| (input|environment) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]!.replace(/\\\|/g, '|')]);
    expect(rows).toEqual(Object.entries(APALU_ERROR_CODES).map(([code, { kind, meaning }]) => [code, kind, meaning]));
  });
});
