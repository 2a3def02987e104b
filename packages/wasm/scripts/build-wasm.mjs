// Compiles assembly/kernels.ts (the entry: the exports; it imports the other assembly/ files) into two modules (SIMD and scalar, for a plain memory) and
// embeds them as base64 in src/generated/kernels.ts, so Node, bundlers, Vitest and browsers
// load them without fetching files. AssemblyScript's output is deterministic: the same source
// and compiler version always give the same bytes.
//
// The shared-memory builds (for worker threads) are compiled too, but not shipped: they must
// differ from the plain ones in the import section alone (the memory import's limits: shared,
// with a maximum), which src/memory-import.ts patches at load. This script fails if any other
// section differs, and writes the shared builds' sha256 to src/generated/shared-digests.ts for
// the test that checks the patched bytes against them.
import asc from 'assemblyscript/asc';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = 'assembly/kernels.ts';
const common = ['-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '0', '--use', 'abort='];
// A shared memory import must be declared shared, with a maximum: 65536 pages (4 GiB).
const shared = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'];
const variants = {
  simd: ['--enable', 'simd'],
  scalar: [],
  simdShared: ['--enable', 'simd', ...shared],
  scalarShared: shared,
};
/** The builds embedded in the package; the shared ones are checked against them. */
const shipped = ['simd', 'scalar'];

/** The sections of a module ({ id, body }), to prove it has no data segment, start function or table of its own. */
function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
    }
    out.push({ id, body: Buffer.from(bytes.subarray(at, at + size)) });
    at += size;
  }
  return out;
}
const sectionIds = (bytes) => sections(bytes).map((s) => s.id);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Non-zero v128 constants inside a loop of the text format. V8 12+ (Node 24, current Chrome)
 * rebuilds such a constant at every use (three instructions) instead of keeping it out of the
 * loop: the kernels build theirs in packs before each loop (assembly/math.ts, "packs").
 */
function constantsInLoops(wat) {
  const found = [];
  const open = [];
  let fn = '';
  for (const line of wat.split('\n')) {
    const t = line.trim();
    const header = t.match(/^\(func \$(\S+)/);
    if (header) {
      fn = header[1];
      open.length = 0;
    } else if (/^(block|loop|if|try)\b/.test(t)) open.push(t.startsWith('loop'));
    else if (t === 'end' || t.startsWith('end ')) open.pop();
    else if (open.includes(true) && t.startsWith('v128.const ') && !/^v128\.const i32x4( 0x00000000){4}$/.test(t)) found.push(`${fn}: ${t}`);
  }
  return found;
}

const out = {};
const built = {};
for (const [name, flags] of Object.entries(variants)) {
  let wasm;
  let wat = '';
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([source, '-o', `${name}.wasm`, '-t', `${name}.wat`, ...common, ...flags], {
    baseDir: root,
    stderr,
    writeFile(file, contents) {
      if (file.endsWith('.wasm')) wasm = contents;
      if (file.endsWith('.wat')) wat = contents;
    },
  });
  if (error) throw new Error(`asc failed for ${name}:\n${stderr.toString()}`);
  const inLoops = constantsInLoops(wat);
  if (inLoops.length > 0) {
    throw new Error(`${name}.wasm builds ${inLoops.length} vector constants inside loops (first: ${inLoops[0]}); build them before the loop (see "packs" in assembly/math.ts).`);
  }
  const ids = sectionIds(wasm);
  // 11 data, 12 data count, 8 start, 4 table, 5 memory (own memory): none allowed.
  const forbidden = ids.filter((id) => [4, 5, 8, 11, 12].includes(id));
  if (forbidden.length > 0) throw new Error(`${name}.wasm has sections ${forbidden.join(', ')}; the kernels must own no memory, data or table.`);
  const module = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  if (imports.join() !== 'env.memory') throw new Error(`${name}.wasm imports ${imports.join(', ')}; only env.memory is allowed.`);
  built[name] = wasm;
  if (shipped.includes(name)) out[name] = Buffer.from(wasm).toString('base64');
  console.log(`${name}.wasm: ${wasm.length} bytes, sha256 ${sha256(wasm).slice(0, 16)}${shipped.includes(name) ? '' : ' (checked, not shipped)'}`);
}

// The shared builds may differ from the plain ones only in the import section (section 2).
// `--enable threads` adds no code while the kernels use no atomics; if that ever changes, the
// shared build's code has to be shipped (or serve both), and this says so.
for (const name of shipped) {
  const plain = sections(built[name]);
  const other = sections(built[`${name}Shared`]);
  const differing = [...new Set([...plain.keys(), ...other.keys()])].filter(
    (i) => plain[i]?.id !== other[i]?.id || plain[i] === undefined || other[i] === undefined || !plain[i].body.equals(other[i].body),
  );
  const outside = differing.filter((i) => plain[i]?.id !== 2 || other[i]?.id !== 2);
  if (outside.length > 0) {
    throw new Error(
      `${name}Shared.wasm differs from ${name}.wasm outside the import section (sections ${outside.map((i) => other[i]?.id ?? plain[i]?.id).join(', ')}): ` +
        'the shared build is no longer the plain build with a shared memory import, so it cannot be made by patching that import (src/memory-import.ts).',
    );
  }
}

const asVersion = JSON.parse(await readFile(join(root, 'node_modules/assemblyscript/package.json'), 'utf8')).version;
const lines = [
  `// Generated by scripts/build-wasm.mjs from ${source} with AssemblyScript ${asVersion}. Do not edit.`,
  ...Object.entries(out).map(([name, b64]) => `export const ${name}Base64 =\n  '${b64}';`),
  '',
];
const digests = [
  `// Generated by scripts/build-wasm.mjs: sha256 of the shared-memory builds compiled by asc (not shipped; for the tests). Do not edit.`,
  `export const sharedBuildSha256 = ${JSON.stringify({ simd: sha256(built.simdShared), scalar: sha256(built.scalarShared) })} as const;`,
  '',
];
await mkdir(join(root, 'src/generated'), { recursive: true });
for (const [file, text] of [['kernels.ts', lines.join('\n')], ['shared-digests.ts', digests.join('\n')]]) {
  const target = join(root, 'src/generated', file);
  const previous = await readFile(target, 'utf8').catch(() => '');
  if (previous !== text) await writeFile(target, text);
}
