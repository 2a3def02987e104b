/**
 * The kernels ship one build per kind, compiled for a plain (unshared) memory. A shared memory
 * differs only in how the module declares its memory import: `shared` with a maximum (the
 * threads proposal requires one). scripts/build-wasm.mjs compiles both forms and fails unless
 * they differ in the import section alone, and the tests check that this patch turns the
 * shipped build into the shared build's exact bytes.
 */

/** Pages a shared memory import declares as its maximum: 65536 (4 GiB), any shared memory fits. */
export const SHARED_MAXIMUM_PAGES = 65536;

function readUnsigned(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined || shift > 28) throw new Error('@apalu/wasm: malformed LEB128 in the kernel module');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function writeUnsigned(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * The module with its one import, `env.memory`, declared shared with a maximum of 65536 pages
 * (limits flag 0x03). Every other byte is kept; the import section's size is re-encoded.
 */
export function withSharedMemoryImport(module: Uint8Array): Uint8Array {
  let at = 8;
  while (at < module.length) {
    const id = module[at] as number;
    const [size, bodyAt] = readUnsigned(module, at + 1);
    const end = bodyAt + size;
    if (id !== 2) {
      at = end;
      continue;
    }
    // Import section: count, then (module name, field name, kind, description) per import.
    const body: number[] = [];
    let [count, p] = readUnsigned(module, bodyAt);
    body.push(...writeUnsigned(count));
    let patched = 0;
    for (; count > 0; count--) {
      const start = p;
      const [moduleLength, m] = readUnsigned(module, p);
      const [fieldLength, f] = readUnsigned(module, m + moduleLength);
      const kindAt = f + fieldLength;
      const kind = module[kindAt];
      if (kind !== 2) throw new Error(`@apalu/wasm: the kernel module imports something other than a memory (kind ${String(kind)})`);
      const flags = module[kindAt + 1] as number;
      if (flags !== 0 && flags !== 1) throw new Error(`@apalu/wasm: the kernel module's memory import is not a plain memory (limits flag ${flags})`);
      const [minimum, afterMinimum] = readUnsigned(module, kindAt + 2);
      p = flags === 1 ? readUnsigned(module, afterMinimum)[1] : afterMinimum;
      body.push(...module.subarray(start, kindAt + 1), 0x03, ...writeUnsigned(minimum), ...writeUnsigned(SHARED_MAXIMUM_PAGES));
      patched++;
    }
    if (p !== end || patched !== 1) throw new Error('@apalu/wasm: unexpected import section in the kernel module');
    const header = [2, ...writeUnsigned(body.length)];
    const out = new Uint8Array(at + header.length + body.length + (module.length - end));
    out.set(module.subarray(0, at), 0);
    out.set(header, at);
    out.set(body, at + header.length);
    out.set(module.subarray(end), at + header.length + body.length);
    return out;
  }
  throw new Error('@apalu/wasm: the kernel module has no import section');
}
