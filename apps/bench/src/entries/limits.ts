import { APALU_K } from '@apalu/core';
import { checkClose } from '../check.js';
import type { BenchEntry, Family, RunOutput } from '../types.js';

/**
 * A module exporting copy(dst, src, bytes) = memory.copy over an imported memory, encoded
 * by hand: the bulk-memory instruction is the whole point, and it is 56 bytes.
 */
const MEMORY_COPY_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type 0: (i32, i32, i32) → ()
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01, // import env.memory (min 1 page)
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x07, 0x08, 0x01, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00, // export "copy" = function 0
  0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b, // local.get 0 1 2; memory.copy; end
]);

const PAGE = 65536;

function exactCopy(output: RunOutput, source: Float32Array): string | null {
  const y = output instanceof Float32Array ? output : output.dx;
  return checkClose('copy', y, (i) => source[i] as number, source.length, 0);
}

/**
 * What APALU is measured against: a plain JavaScript loop (what one would write without a
 * library) and the copy limits, the time to move n floats through memory once (read n, write
 * n). Forward moves exactly that much; backward reads 2n and writes n, ≈ 1.5 copies.
 */
export async function loadLimits(): Promise<Family> {
  const module = await WebAssembly.compile(MEMORY_COPY_WASM);
  const both = ['forward', 'backward'] as const;
  const entries: BenchEntry[] = [
    {
      id: 'Float32Array.set',
      role: 'limit',
      source: 'JavaScript',
      group: 'limits',
      note: 'copy of n floats',
      directions: both,
      check: (output, input) => exactCopy(output, input.x),
      prepare: async (input) => {
        const dst = new Float32Array(input.n);
        return {
          run: () => {
            dst.set(input.x);
            return dst;
          },
        };
      },
    },
    {
      id: 'wasm memory.copy',
      role: 'limit',
      source: 'WebAssembly',
      group: 'limits',
      note: 'copy of n floats',
      directions: both,
      check: (output, input) => exactCopy(output, input.x),
      prepare: async (input) => {
        const bytes = 4 * input.n;
        const memory = new WebAssembly.Memory({ initial: Math.ceil((2 * bytes) / PAGE) });
        const { copy } = (await WebAssembly.instantiate(module, { env: { memory } })).exports as { copy: (dst: number, src: number, n: number) => void };
        new Float32Array(memory.buffer, 0, input.n).set(input.x);
        const dst = new Float32Array(memory.buffer, bytes, input.n);
        return {
          run: () => {
            copy(bytes, 0, bytes);
            return dst;
          },
        };
      },
    },
    {
      id: 'js-loop (Math.expm1)',
      role: 'peer',
      source: 'JavaScript',
      group: 'JavaScript and WebAssembly',
      accuracy: 'composed',
      note: 'APALU as a plain loop',
      directions: both,
      prepare: async (input, direction) => {
        const { x, dy, a, b, n, channels } = input;
        if (direction === 'forward') {
          const y = new Float32Array(n);
          return {
            run: () => {
              for (let i = 0; i < n; i++) {
                const v = x[i] as number;
                const c = i % channels;
                y[i] = v >= 0 ? (a[c] as number) * v * (1 + 1 / (1 + Math.exp(-APALU_K * v))) : (b[c] as number) * Math.expm1(v);
              }
              return y;
            },
          };
        }
        const dx = new Float32Array(n);
        const da = new Float64Array(channels);
        const db = new Float64Array(channels);
        return {
          run: () => {
            da.fill(0);
            db.fill(0);
            for (let i = 0; i < n; i++) {
              const v = x[i] as number;
              const g = dy[i] as number;
              const c = i % channels;
              if (v >= 0) {
                const s = 1 / (1 + Math.exp(-APALU_K * v));
                dx[i] = g * (a[c] as number) * (1 + s + APALU_K * v * s * (1 - s));
                da[c] = (da[c] as number) + g * v * (1 + s);
              } else {
                dx[i] = g * (b[c] as number) * Math.exp(v);
                db[c] = (db[c] as number) + g * Math.expm1(v);
              }
            }
            return { dx, da: Float32Array.from(da), db: Float32Array.from(db) };
          },
        };
      },
    },
  ];
  return { entries, unavailable: [] };
}
