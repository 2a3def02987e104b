/**
 * The same kernels timed inside Chromium (Debian's package through playwright-core, as the
 * browser test runs them): browsers are where most WebAssembly runs, and their V8 is newer
 * than the Node the rest of the bench uses — the two compile the same module differently.
 * One thread, the embedded SIMD and scalar modules on a page, tasks interleaved over rounds
 * (order rotated), a row is the median of the per-round medians.
 */
import { chromium } from 'playwright-core';
import { scalarBase64, simdBase64 } from '../src/generated/kernels.js';
import type { WasmBenchOptions, WasmBenchRow } from './bench.js';

interface PageArgs {
  simd: string;
  scalar: string;
  sizes: number[];
  rounds: number;
  time: number;
}

/** Runs in the page: returns [size, task, median ms] triples. */
async function inPage({ simd, scalar, sizes, rounds, time }: PageArgs): Promise<[number, string, number][]> {
  const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const maxN = Math.max(...sizes);
  // x, y, dy, dx (maxN floats each), then a, b, da, db and the float64 scratch.
  const bytes = 16 * maxN + 256;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  type Exports = Record<string, (...args: number[]) => void>;
  const instantiate = async (b64: string) =>
    (await WebAssembly.instantiate(decode(b64), { env: { memory } })).instance.exports as unknown as Exports;
  const [k, ks] = [await instantiate(simd), await instantiate(scalar)];
  const f = new Float32Array(memory.buffer);
  const out: [number, string, number][] = [];
  for (const n of sizes) {
    const xP = 0;
    const yP = 4 * maxN;
    const dyP = 8 * maxN;
    const dxP = 12 * maxN;
    const aP = 16 * maxN;
    const bP = aP + 16;
    const daP = aP + 32;
    const dbP = aP + 48;
    const accP = aP + 64;
    let s = 1;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      f[xP / 4 + i] = (s / 2 ** 32 - 0.5) * 16;
      f[dyP / 4 + i] = (s / 2 ** 32 - 0.5) * 2;
    }
    f[aP / 4] = 0.7;
    f[bP / 4] = 1.3;
    const x = f.subarray(0, n);
    const copy = new Float32Array(n);
    const jsOut = new Float32Array(n);
    const tasks: [string, () => void][] = [
      ['Float32Array.set (copy limit)', () => copy.set(x)],
      ['kernel simd forward, 1 thread', () => k.forward?.(xP, yP, n, aP, bP, 1, 1, 0)],
      ['kernel scalar forward, 1 thread', () => ks.forward?.(xP, yP, n, aP, bP, 1, 1, 0)],
      ['kernel simd backward, 1 thread', () => k.backward?.(xP, dyP, dxP, daP, dbP, n, aP, bP, 1, 1, accP, 0)],
      ["kernel simd forward, precision 'fast', 1 thread", () => k.forward?.(xP, yP, n, aP, bP, 1, 1, 1)],
      ["kernel simd backward, precision 'fast', 1 thread", () => k.backward?.(xP, dyP, dxP, daP, dbP, n, aP, bP, 1, 1, accP, 1)],
      [
        'JS loop, Math.exp/Math.expm1 (forward)',
        () => {
          for (let i = 0; i < n; i++) {
            const v = x[i] as number;
            jsOut[i] = v >= 0 ? 0.7 * v * (1 + 1 / (1 + Math.exp(-1.702 * v))) : 1.3 * Math.expm1(v);
          }
        },
      ],
    ];
    const perRound = new Map<string, number[]>(tasks.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let t = 0; t < tasks.length; t++) {
        const [name, fn] = tasks[(t + round * 3) % tasks.length] as [string, () => void];
        // A page without cross-origin isolation reads the clock to 0.1 ms: each sample times
        // enough calls to last ≥ 20 ms.
        let reps = 1;
        for (let t0 = performance.now(); ; reps *= 2, t0 = performance.now()) {
          for (let r = 0; r < reps; r++) fn();
          if (performance.now() - t0 >= 20) break;
        }
        const times: number[] = [];
        const end = performance.now() + time;
        while (performance.now() < end || times.length < 3) {
          const t0 = performance.now();
          for (let r = 0; r < reps; r++) fn();
          times.push((performance.now() - t0) / reps);
        }
        times.sort((p, q) => p - q);
        perRound.get(name)?.push(times[times.length >> 1] as number);
      }
    }
    for (const [name] of tasks) {
      const ms = (perRound.get(name) as number[]).sort((p, q) => p - q);
      out.push([n, name, ms[ms.length >> 1] as number]);
    }
  }
  return out;
}

/** The Chromium rows (one thread) and the browser's version. */
export async function benchWasmInChromium(
  executablePath: string,
  sizes: readonly number[] = [1 << 20, 1 << 24],
  options: WasmBenchOptions = {},
): Promise<{ version: string; rows: WasmBenchRow[] }> {
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    // tsx/esbuild's keepNames wraps functions in __name(): define it where inPage runs.
    await page.evaluate('globalThis.__name = (fn) => fn');
    const args: PageArgs = { simd: simdBase64, scalar: scalarBase64, sizes: [...sizes], rounds: options.rounds ?? 3, time: options.time ?? 250 };
    const triples = await page.evaluate(inPage, args);
    const rows: WasmBenchRow[] = [];
    for (const n of sizes) {
      const mine = triples.filter(([size]) => size === n);
      const copyMs = mine.find(([, task]) => task.startsWith('Float32Array.set'))?.[2] as number;
      for (const [, task, ms] of mine) rows.push({ size: n, task, ms, mElementsPerSecond: n / ms / 1e3, vsCopy: copyMs / ms });
    }
    return { version: browser.version(), rows };
  } finally {
    await browser.close();
  }
}
