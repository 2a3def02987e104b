// Streamed array calls against the in-memory kernels: throughput (forward/backward with a fresh result, with `out`, and forwardAt/backwardAt on data already in memory), interleaved in one process, and the peak memory of one call (each in a fresh process).
//
//   node --import tsx bench/stream.ts [--sizes=1048576,16777216] [--rounds=7] [--threads=1,2] [--block=32768] [--old=path/to/an/older/dist/index.js]
//   node --import tsx bench/stream.ts --memory [--old=…]     peak memory of one 16M call per configuration
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Module = typeof import('../src/index.js');
type Backend = Awaited<ReturnType<Module['createBackend']>>;

const args = new Map(process.argv.slice(2).map((a) => (a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, ''])));
const sizes = (args.get('--sizes') ?? '1048576,16777216').split(',').map(Number);
const rounds = Number(args.get('--rounds') ?? 7);
const oldPath = args.get('--old');
const blockElements = args.has('--block') ? Number(args.get('--block')) : undefined;
const threadCounts = (args.get('--threads') ?? '1,2').split(',').map(Number);
const C = 64;

function inputs(n: number) {
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = Float32Array.from({ length: n }, () => (next() - 0.5) * 12);
  const dy = Float32Array.from({ length: n }, () => next() * 2 - 1);
  const a = Float32Array.from({ length: C }, () => 0.5 + next());
  const b = Float32Array.from({ length: C }, () => 0.5 + next());
  return { x, dy, a, b };
}

const align64 = (v: number) => Math.ceil(v / 64) * 64;

/**
 * forwardAt/backwardAt with x, dy, out in the backend's memory: the same layout as apps/bench's
 * in-memory rows (apps/bench/src/entries/wasm.ts), repeated here on purpose so that this script's
 * figures match those rows while running from the package alone (bench/ is not published, and a
 * package does not import an app).
 */
function inMemory(backend: Backend, n: number, input: ReturnType<typeof inputs>) {
  const c4 = align64(4 * C);
  const at = { a: 0, b: c4, da: 2 * c4, db: 3 * c4, scratch: 4 * c4 };
  const xPtr = at.scratch + align64(backend.scratchBytes(C));
  const dyPtr = xPtr + align64(4 * n);
  const outPtr = dyPtr + align64(4 * n);
  backend.reserve(outPtr + 4 * n);
  const view = (ptr: number, length: number) => new Float32Array(backend.memory.buffer, ptr, length);
  view(at.a, C).set(input.a);
  view(at.b, C).set(input.b);
  view(xPtr, n).set(input.x);
  view(dyPtr, n).set(input.dy);
  return {
    forward: () => backend.forwardAt(xPtr, outPtr, n, at.a, at.b, C, 1),
    backward: () => backend.backwardAt(xPtr, dyPtr, outPtr, at.da, at.db, n, at.a, at.b, C, 1, at.scratch),
  };
}

async function throughput() {
  const mod: Module = await import('../src/index.js');
  const old: Module | undefined = oldPath ? await import(oldPath) : undefined;
  for (const n of sizes) {
    const input = inputs(n);
    const out = new Float32Array(n);
    const dx = new Float32Array(n);
    const da = new Float32Array(C);
    const db = new Float32Array(C);
    const rows: { name: string; forward: () => Promise<unknown>; backward: () => Promise<unknown> }[] = [];
    const opened: Backend[] = [];
    for (const threads of threadCounts) {
      const open = async (m: Module) => {
        const b = await m.createBackend({ threads, ...(m !== old && blockElements ? { blockElements } : {}) });
        opened.push(b);
        return b;
      };
      const t = threads > 1 ? '-threads' : '';
      const mem = inMemory(await open(mod), n, input);
      rows.push({ name: `wasm-simd${t} (in memory)`, ...mem });
      const fresh = await open(mod);
      rows.push({ name: `wasm-simd${t}`, forward: () => fresh.forward(input.x, input.a, input.b), backward: () => fresh.backward(input.x, input.dy, input.a, input.b) });
      const withOut = await open(mod);
      rows.push({
        name: `wasm-simd${t} (out)`,
        forward: () => withOut.forward(input.x, input.a, input.b, { out }),
        backward: () => withOut.backward(input.x, input.dy, input.a, input.b, { out: { dx, da, db } }),
      });
      if (old !== undefined) {
        const before = await open(old);
        rows.push({ name: `wasm-simd${t} (before)`, forward: () => before.forward(input.x, input.a, input.b), backward: () => before.backward(input.x, input.dy, input.a, input.b) });
      }
    }
    for (const direction of ['forward', 'backward'] as const) {
      const samples = new Map<string, number[]>(rows.map((r) => [r.name, []]));
      for (let r = 0; r < rounds; r++) {
        for (const row of rows) {
          if (r === 0) await row[direction]();
          const t0 = performance.now();
          const reps = n >= 1 << 22 ? 1 : 4;
          for (let i = 0; i < reps; i++) await row[direction]();
          (samples.get(row.name) as number[]).push((performance.now() - t0) / reps);
        }
      }
      console.log(`\n${direction}, n = ${n} (C = ${C}), M elements/s, median of ${rounds} interleaved rounds (min–max ms)`);
      for (const [name, ms] of samples) {
        const sorted = [...ms].sort((p, q) => p - q);
        const median = sorted[Math.floor(sorted.length / 2)] as number;
        const best = sorted[0] as number;
        console.log(
          `  ${name.padEnd(34)} ${(n / median / 1000).toFixed(0).padStart(6)} median, ${(n / best / 1000).toFixed(0).padStart(6)} best   (${best.toFixed(2)}–${(sorted[sorted.length - 1] as number).toFixed(1)} ms)`,
        );
      }
    }
    for (const b of opened) await b.dispose();
  }
}

/** One call of n elements in this process; prints the growth of RSS peak and the wasm memory size. */
async function memoryChild(which: string, threads: number, direction: string, withOut: boolean, n: number) {
  const mod: Module = which === 'old' ? await import(oldPath as string) : await import('../src/index.js');
  const backend = await mod.createBackend({ threads });
  const input = inputs(n);
  const out = withOut ? { y: new Float32Array(n).fill(1), dx: new Float32Array(n).fill(1) } : undefined;
  // Warm the backend on a small call; then the RSS peak grows only with what the big call takes.
  await backend.forward(input.x.subarray(0, 64 * 64), input.a, input.b);
  const before = process.resourceUsage().maxRSS * 1024;
  const rss0 = process.memoryUsage().rss;
  if (direction === 'forward') await backend.forward(input.x, input.a, input.b, out ? { out: out.y } : undefined);
  else await backend.backward(input.x, input.dy, input.a, input.b, out ? { out: { dx: out.dx } } : undefined);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ wasm: backend.memory.buffer.byteLength, rssGrowth: peak - Math.max(before, rss0) }));
  await backend.dispose();
}

async function memory() {
  const n = 1 << 24;
  const self = fileURLToPath(import.meta.url);
  const mb = (v: number) => `${(v / 2 ** 20).toFixed(1)} MB`;
  console.log(`peak memory of one call, n = ${n} (C = ${C}): the backend's WebAssembly memory, and how far the process's peak RSS grew during the call`);
  for (const which of oldPath ? ['old', 'new'] : ['new']) {
    for (const threads of [1, 2]) {
      for (const direction of ['forward', 'backward']) {
        for (const withOut of which === 'old' ? [false] : [false, true]) {
          const text = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', which, String(threads), direction, String(withOut), String(n), ...(oldPath ? [`--old=${oldPath}`] : [])], {
            encoding: 'utf8',
          });
          const r = JSON.parse(text.trim().split('\n').pop() as string) as { wasm: number; rssGrowth: number };
          console.log(`  ${(which === 'old' ? 'before' : 'now').padEnd(7)} threads ${threads} ${direction.padEnd(8)} ${withOut ? 'out   ' : 'fresh '} wasm memory ${mb(r.wasm).padStart(9)}, peak RSS +${mb(r.rssGrowth)}`);
        }
      }
    }
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, which, threads, direction, withOut, n] = argv as [string, string, string, string, string, string];
  await memoryChild(which, Number(threads), direction, withOut === 'true', Number(n));
} else if (args.has('--memory')) await memory();
else await throughput();
