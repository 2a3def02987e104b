import { type ApaluBackend, ApaluInputError, apalu, backward, createBackend, forward, validateCall } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { CONTRACT_CASE_NAMES, DEFAULT_PROPERTY_SEED, formatFailures, listCaseNames, runConformance } from '../src/index.js';
import type { ConformanceOptions, ConformanceReport } from '../src/run.js';

// Mutation tests of the call-contract cases: each backend below breaks one rule of the call
// contract (section 7 of @apalu/core's SPEC.md) and the kit must fail it, naming the case.

const CONTRACT_REJECTIONS = listCaseNames().filter((n) => /^rejects-(detached|out-of-bounds|float64|array|missing)-/.test(n));
const CONTRACT_ONLY = [...CONTRACT_CASE_NAMES, ...CONTRACT_REJECTIONS];

const failedCases = (r: ConformanceReport) => [...new Set(r.checks.filter((c) => !c.pass).map((c) => c.case))].sort();

async function run(backend: ApaluBackend, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  return runConformance(backend, { only: CONTRACT_ONLY, callTimeout: 200, runs: 50, ...options });
}

/** The reference backend with its calls made through `wrap`. */
async function wrapped(name: string, wrap: (call: () => Promise<unknown>) => Promise<unknown>, extra: Partial<ApaluBackend> = {}): Promise<ApaluBackend> {
  const ref = await createBackend();
  return {
    name,
    accuracy: 'strict',
    forward: (x, a, b, layout) => wrap(() => ref.forward(x, a, b, layout)) as Promise<Float32Array>,
    backward: (x, dy, a, b, layout) => wrap(() => ref.backward(x, dy, a, b, layout)) as ReturnType<ApaluBackend['backward']>,
    ...extra,
  };
}

describe('the reference backend keeps the call contract', () => {
  it('passes every contract case and contract rejection (dispose-mid-flight excluded: it has no dispose())', async () => {
    const report = await runConformance(await createBackend(), { only: CONTRACT_ONLY, create: createBackend });
    expect(formatFailures(report.checks)).toBe('');
    expect(report.pass).toBe(true);
    expect(report.excluded).toEqual([{ case: 'dispose-mid-flight', reason: 'core-reference has no dispose()' }]);
    const ran = new Set(report.checks.map((c) => c.case));
    for (const name of CONTRACT_ONLY) if (name !== 'dispose-mid-flight') expect(ran).toContain(name);
    expect(CONTRACT_REJECTIONS.length).toBeGreaterThanOrEqual(15);
  });

  it('passes dispose-mid-flight once it has a dispose() that lets calls finish and then refuses new ones', async () => {
    const make = async (): Promise<ApaluBackend> => {
      const ref = await createBackend();
      let disposed = false;
      const inFlight = new Set<Promise<unknown>>();
      const track = <T>(p: Promise<T>) => {
        inFlight.add(p);
        void p.then(
          () => inFlight.delete(p),
          () => inFlight.delete(p),
        );
        return p;
      };
      const gone = () => Promise.reject(new ApaluInputError('E_DISPOSED', 'this backend was disposed; create a new one with createBackend()'));
      return {
        name: 'reference-with-dispose',
        accuracy: 'strict',
        forward: (x, a, b, layout) => (disposed ? gone() : track(ref.forward(x, a, b, layout).then(async (r) => (await new Promise((s) => setTimeout(s, 5)), r)))),
        backward: (x, dy, a, b, layout) => (disposed ? gone() : track(ref.backward(x, dy, a, b, layout))),
        async dispose() {
          disposed = true;
          await Promise.allSettled([...inFlight]);
        },
      } as ApaluBackend;
    };
    const report = await runConformance(await make(), { only: ['dispose-mid-flight'], create: make, callTimeout: 10_000 });
    expect(formatFailures(report.checks)).toBe('');
    expect(report.checks.length).toBeGreaterThanOrEqual(8 + 4);
  });
});

describe('the contract cases catch backends built to break them', () => {
  it('never-settling: every call fails its case with "did not settle" instead of hanging', async () => {
    const never = await wrapped('never-settling', () => new Promise(() => {}));
    const report = await runConformance(never, { callTimeout: 50, runs: 5, only: ['uniform-20', 'rejects-a-zero/forward', ...CONTRACT_ONLY], create: async () => never });
    expect(report.pass).toBe(false);
    // dispose-mid-flight is excluded (no dispose()); every other case fails, and says why.
    expect(failedCases(report)).toEqual(['uniform-20', 'rejects-a-zero/forward', ...CONTRACT_ONLY].filter((n) => n !== 'dispose-mid-flight').sort());
    const text = formatFailures(report.checks);
    expect(text).toMatch(/^uniform-20 f: forward did not settle within 0\.05 s/m);
    expect(text).toMatch(/^mutate-after-call\/backward dx: backward did not settle/m);
    expect(text).toMatch(/^property settles: forward did not settle within 0\.05 s .*seed/m);
    expect(text).toMatch(/^rejects-detached-x\/forward rejects: rejects-detached-x\/forward did not settle/m);
  });

  it('never-settling dispose(): dispose-mid-flight fails naming dispose()', async () => {
    const make = () => wrapped('dispose-hangs', (call) => call(), { dispose: () => new Promise<void>(() => {}) });
    const report = await runConformance(await make(), { only: ['dispose-mid-flight'], create: make, callTimeout: 100 });
    expect(failedCases(report)).toEqual(['dispose-mid-flight']);
    expect(formatFailures(report.checks)).toMatch(/dispose-mid-flight dispose\(\): dispose\(\) with calls in flight did not settle within 0\.1 s/);
  });

  it('late-reading (reads x, dy, a, b after an await): mutate-after-call and transfer-after-call fail', async () => {
    const late = await wrapped('late-reading', async (call) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return call();
    });
    const report = await run(late);
    expect(failedCases(report)).toEqual(['mutate-after-call/backward', 'mutate-after-call/forward', 'transfer-after-call/backward', 'transfer-after-call/forward']);
    const text = formatFailures(report.checks);
    expect(text).toMatch(/^mutate-after-call\/forward f: the result is not that of the inputs at call time/m);
    expect(text).toMatch(/^transfer-after-call\/forward f: forward threw ApaluInputError: x's buffer is detached.*call contract point 3/m);
  });

  it('late-reading of a alone (x copied at once, a read after an await): mutate-after-call fails', async () => {
    const ref = await createBackend();
    const lateA: ApaluBackend = {
      name: 'late-a',
      accuracy: 'strict',
      async forward(x, a, b, layout) {
        const xs = x.slice();
        const bs = b.slice();
        await null;
        return ref.forward(xs, a, bs, layout);
      },
      backward: (x, dy, a, b, layout) => ref.backward(x, dy, a, b, layout),
    };
    const report = await run(lateA, { only: ['mutate-after-call/forward', 'mutate-after-call/backward'] });
    expect(failedCases(report)).toEqual(['mutate-after-call/forward']);
  });

  it('detached-accepting (returns an empty result for a detached or out-of-bounds array): the E_DETACHED cases fail', async () => {
    // validateCall's checks without the detached one: a detached x reads as length 0, which fits any layout.
    const accepting: ApaluBackend = {
      name: 'detached-accepting',
      accuracy: 'strict',
      async forward(x, a, b, layout) {
        if (!(x instanceof Float32Array)) throw new ApaluInputError('E_TYPE', `x is not a Float32Array; convert it with Float32Array.from(x)`);
        const s = layout?.inner ?? 1;
        const out = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) out[i] = apalu(x[i]!, a[Math.floor(i / s) % a.length]!, b[Math.floor(i / s) % a.length]!);
        return out;
      },
      async backward(x, dy, a, b, layout) {
        if (!(x instanceof Float32Array) || !(dy instanceof Float32Array)) throw new ApaluInputError('E_TYPE', 'x and dy must be Float32Arrays; convert them with Float32Array.from');
        // A detached x or dy reads as length 0: an empty result instead of an error.
        if (x.length === 0 || dy.length === 0) return { dx: new Float32Array(0), da: new Float32Array(a.length), db: new Float32Array(a.length) };
        if (dy.length !== x.length) throw new ApaluInputError('E_LENGTH', 'dy.length must equal x.length');
        return backward(x, dy, a, b, { inner: layout?.inner }) as ReturnType<ApaluBackend['backward']> extends Promise<infer G> ? G : never;
      },
    };
    const report = await run(accepting, { only: CONTRACT_REJECTIONS });
    const failed = failedCases(report);
    for (const name of ['rejects-detached-x/forward', 'rejects-detached-x/backward', 'rejects-detached-dy/backward', 'rejects-out-of-bounds-x/forward', 'rejects-out-of-bounds-x/backward', 'rejects-out-of-bounds-dy/backward']) {
      expect(failed).toContain(name);
    }
    // The type cases still pass: only the detached and out-of-bounds ones fail.
    expect(failed.filter((n) => !/^rejects-(detached|out-of-bounds)-/.test(n))).toEqual([]);
    expect(formatFailures(report.checks)).toMatch(/^rejects-detached-x\/forward rejects: accepted x whose buffer was transferred \(detached\) \(returned Float32Array\(0\)\)/m);
  });

  it('wrong types: Float64Array x accepted, a missing dy as a TypeError', async () => {
    const ref = await createBackend();
    const loose: ApaluBackend = {
      name: 'loose-types',
      accuracy: 'strict',
      async forward(x, a, b, layout) {
        validateCall(x, a, b, layout?.inner);
        return Float32Array.from(forward(x, a, b, { inner: layout?.inner }));
      },
      async backward(x, dy, a, b, layout) {
        if (dy.length !== x.length) throw new ApaluInputError('E_LENGTH', 'dy.length must equal x.length');
        return ref.backward(x, dy, a, b, layout);
      },
    };
    const report = await run(loose, { only: ['rejects-float64-x/forward', 'rejects-missing-dy/backward'] });
    expect(failedCases(report)).toEqual(['rejects-float64-x/forward', 'rejects-missing-dy/backward']);
    const text = formatFailures(report.checks);
    expect(text).toMatch(/rejects-float64-x\/forward rejects: accepted x as a Float64Array/);
    expect(text).toMatch(/rejects-missing-dy\/backward rejects: rejected dy undefined .* with TypeError: .*the call contract requires ApaluInputError code E_TYPE/);
  });

  it('dispose-dropping (rejects the calls in flight when disposed): dispose-mid-flight fails', async () => {
    const make = async (): Promise<ApaluBackend> => {
      const ref = await createBackend();
      let disposed = false;
      const slow = async <T>(call: () => Promise<T>): Promise<T> => {
        if (disposed) throw new ApaluInputError('E_DISPOSED', 'this backend was disposed; create a new one');
        const result = await call();
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (disposed) throw new ApaluInputError('E_DISPOSED', 'the backend was disposed while this call ran');
        return result;
      };
      return {
        name: 'dispose-dropping',
        accuracy: 'strict',
        forward: (x, a, b, layout) => slow(() => ref.forward(x, a, b, layout)),
        backward: (x, dy, a, b, layout) => slow(() => ref.backward(x, dy, a, b, layout)),
        async dispose() {
          disposed = true;
        },
      };
    };
    const report = await runConformance(await make(), { only: CONTRACT_CASE_NAMES.filter((n) => n !== 'property'), create: make });
    expect(failedCases(report)).toEqual(['dispose-mid-flight']);
    const text = formatFailures(report.checks);
    expect(text).toMatch(/^dispose-mid-flight f #1: forward #1 threw ApaluInputError: the backend was disposed while this call ran; a call accepted before dispose\(\) must settle normally/m);
    expect(text).toMatch(/^dispose-mid-flight dx #8: backward #8 threw/m);
  });

  it('dispose that leaves the backend usable: calls after dispose() must reject with E_DISPOSED', async () => {
    const make = () => wrapped('dispose-ignored', (call) => call(), { dispose: async () => {} });
    const report = await runConformance(await make(), { only: ['dispose-mid-flight'], create: make });
    expect(failedCases(report)).toEqual(['dispose-mid-flight']);
    expect(formatFailures(report.checks)).toMatch(/^dispose-mid-flight forward after dispose\(\): forward after dispose\(\) resolved \(Float32Array\(3\)\); it must reject with ApaluInputError code E_DISPOSED/m);
  });

  it('a variant can exclude a contract case with a reason (exclude), as any other case', async () => {
    const late = await wrapped('late-but-excused', async (call) => {
      await null;
      return call();
    });
    const report = await run(late, { only: ['mutate-after-call/forward', 'transfer-after-call/forward'], exclude: { 'mutate-after-call/forward': 'reads x after an await (known)' } });
    expect(report.excluded).toEqual([{ case: 'mutate-after-call/forward', reason: 'reads x after an await (known)' }]);
    expect(failedCases(report)).toEqual(['transfer-after-call/forward']);
  });

  it('without `create`, dispose-mid-flight is reported as excluded with the reason, not run on the caller’s backend', async () => {
    let disposed = 0;
    const backend = await wrapped('has-dispose', (call) => call(), { dispose: () => void disposed++ });
    const report = await runConformance(backend, { only: ['dispose-mid-flight'] });
    expect(disposed).toBe(0);
    expect(report.excluded[0]?.reason).toMatch(/pass `create`/);
  });
});

describe('the property case', () => {
  /** Wrong for one float32 bit pattern only: x = −FLT_MAX gives +1 in forward. */
  const BAD = -3.4028234663852886e38;
  async function oneBadPattern(): Promise<ApaluBackend> {
    const ref = await createBackend();
    return {
      name: 'one-bad-pattern',
      accuracy: 'strict',
      async forward(x, a, b, layout) {
        const out = await ref.forward(x, a, b, layout);
        for (let i = 0; i < x.length; i++) if (x[i] === BAD) out[i] = 1;
        return out;
      },
      backward: (x, dy, a, b, layout) => ref.backward(x, dy, a, b, layout),
    };
  }

  it('finds a forward wrong for a single bit pattern and shrinks it to one element, C = 1, S = 1, a = b = 1', async () => {
    const report = await runConformance(await oneBadPattern(), { only: ['property'] });
    expect(report.pass).toBe(false);
    const [check] = report.checks;
    expect(check?.case).toBe('property');
    expect(check?.metric).toBe('f');
    expect(check?.counterexample).toMatchObject({ seed: DEFAULT_PROPERTY_SEED, channels: 1, inner: 1, x: [BAD], a: [1], b: [1] });
    expect(check?.counterexample?.path).toMatch(/^\d+(:\d+)*$/);
    expect(check?.worst).toMatchObject({ index: 0, x: BAD, got: 1 });
    const text = formatFailures(report.checks);
    expect(text).toContain(`property f: minimal failing input after`);
    expect(text).toContain(`(seed ${DEFAULT_PROPERTY_SEED}, path ${check?.counterexample?.path})`);
    expect(text).toContain(`C = 1, S = 1, a = [1], b = [1], x = [${BAD}]`);
    expect(text).toContain(`Replay: --seed ${DEFAULT_PROPERTY_SEED} --path ${check?.counterexample?.path}`);
  });

  it('replays the counterexample from its seed and path', async () => {
    const first = await runConformance(await oneBadPattern(), { only: ['property'] });
    const { seed, path } = first.checks[0]!.counterexample!;
    const again = await runConformance(await oneBadPattern(), { only: ['property'], seed, propertyPath: path });
    expect(again.checks[0]?.counterexample?.x).toEqual([BAD]);
  });

  it('is reproducible: the same seed gives the same run, another seed another one', async () => {
    const seen: string[][] = [[], [], []];
    const recording = async (log: string[]): Promise<ApaluBackend> => {
      const ref = await createBackend();
      return {
        name: 'recording',
        accuracy: 'strict',
        forward: (x, a, b, layout) => (log.push(`${x.length}:${a.length}:${layout?.inner}:${x[0]}`), ref.forward(x, a, b, layout)),
        backward: (x, dy, a, b, layout) => ref.backward(x, dy, a, b, layout),
      };
    };
    await runConformance(await recording(seen[0]!), { only: ['property'], runs: 30 });
    await runConformance(await recording(seen[1]!), { only: ['property'], runs: 30 });
    await runConformance(await recording(seen[2]!), { only: ['property'], runs: 30, seed: 7 });
    expect(seen[0]).toHaveLength(30);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).not.toEqual(seen[0]);
    // Channels 1…8, inner sizes 1…8, x.length a whole multiple of C·S.
    const shapes = seen[0]!.map((s) => s.split(':').map(Number));
    expect(new Set(shapes.map(([, c]) => c)).size).toBeGreaterThan(3);
    for (const [n, c, inner] of shapes) {
      expect(c).toBeGreaterThanOrEqual(1);
      expect(c).toBeLessThanOrEqual(8);
      expect(inner).toBeGreaterThanOrEqual(1);
      expect(inner).toBeLessThanOrEqual(8);
      expect(n! % (c! * inner!)).toBe(0);
    }
  });

  it('refuses bad options', async () => {
    const ref = await createBackend();
    await expect(runConformance(ref, { only: ['property'], runs: 0 })).rejects.toThrow(/runs = 0/);
    await expect(runConformance(ref, { only: ['property'], seed: 1.5 })).rejects.toThrow(/seed = 1.5/);
    await expect(runConformance(ref, { only: ['property'], callTimeout: -1 })).rejects.toThrow(/callTimeout = -1/);
    await expect(runConformance(ref, { only: ['property'], propertyPath: 'x' })).rejects.toThrow(/propertyPath = x/);
  });
});
