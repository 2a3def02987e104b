import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/args.js';
import { UsageError } from '../src/errors.js';

function usage(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('command line', () => {
  it('reads a run, the rows of a saved run, and --help', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'run', mode: 'full', noProgress: false });
    expect(parseCliArgs(['--quick', '--filter=tfjs,onnx', '--sizes=1024, 65536', '--out=/tmp/x', '--no-progress'])).toEqual({
      kind: 'run',
      mode: 'quick',
      filter: 'tfjs,onnx',
      sizes: [1024, 65536],
      out: '/tmp/x',
      noProgress: true,
    });
    expect(parseCliArgs(['--rows=results/bench-full.json', '--write-readmes'])).toEqual({ kind: 'rows', file: 'results/bench-full.json', writeReadmes: true });
    expect(parseCliArgs(['--compare=a/bench-full.json, b/bench-full.json'])).toEqual({ kind: 'compare', before: 'a/bench-full.json', after: 'b/bench-full.json' });
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses --write-readmes without --rows instead of ignoring it', () => {
    expect(usage(['--write-readmes'])).toMatch(/^--write-readmes needs --rows=FILE\.json/);
    expect(usage(['--smoke', '--write-readmes'])).toMatch(/^--write-readmes needs --rows/);
  });

  it('refuses run options beside --rows, which runs nothing', () => {
    expect(usage(['--rows=r.json', '--smoke', '--filter=wasm'])).toBe('--rows prints the rows of a saved run and runs nothing: --smoke, --filter cannot go with it.');
  });

  it('refuses two modes, unknown options and stray arguments', () => {
    expect(usage(['--full', '--quick'])).toBe('choose one mode: --full and --quick were both given.');
    expect(usage(['--quick', '--smoke'])).toBe('choose one mode: --quick and --smoke were both given.');
    expect(usage(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(usage(['quick'])).toMatch(/Unexpected argument 'quick'/);
    expect(usage(['--filter'])).toMatch(/--filter/);
  });

  it('refuses empty and bad sizes, and empty values', () => {
    expect(usage(['--sizes='])).toBe('--sizes needs at least one size, e.g. --sizes=65536,1048576.');
    expect(usage(['--sizes=,'])).toMatch(/^--sizes needs at least one size/);
    expect(usage(['--sizes=abc'])).toMatch(/^--sizes: "abc" is not a size/);
    expect(usage(['--sizes=1024,,2048'])).toMatch(/^--sizes: "" is not a size/);
    expect(usage(['--sizes=100'])).toMatch(/^--sizes: "100" is not a size; sizes are element counts, positive multiples of 64/);
    expect(usage(['--sizes=-64'])).toMatch(/"-64" is not a size/);
    expect(usage(['--sizes=1e6'])).toMatch(/"1e6" is not a size/);
    expect(usage(['--filter='])).toBe('--filter needs a value (--filter=…).');
    expect(usage(['--filter=,'])).toMatch(/^--filter needs at least one word/);
    expect(usage(['--out='])).toBe('--out needs a value (--out=…).');
    expect(usage(['--rows='])).toBe('--rows needs a value (--rows=…).');
    expect(usage(['--compare=one.json'])).toMatch(/^--compare=one\.json: give two saved runs, before and after/);
    expect(usage(['--compare=a.json,b.json', '--quick'])).toBe('--compare reads two saved runs and runs nothing: --quick cannot go with it.');
  });
});
