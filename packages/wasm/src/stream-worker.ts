// The worker side of a pipelined streamed call (src/stream.ts), as source text for the worker body (src/worker-source.ts): take filled blocks from the shared counter, compute them in their slot, mark them done.

/**
 * `stream(backward, args)`: args as src/stream.ts's pipeline passes them. Block geometry
 * (start, within, c0) and the wrapped slot address are computed exactly as `blockAt` and
 * `virtual` do in src/stream.ts. State at `state`: [filled, abort, next, done[slot]…].
 */
export const STREAM_WORKER = `function stream(backward, args) {
  const [slots, slotBytes, K, nb, block, n, a2, b2, C, S, code, state, sums, sliceBytes] = args;
  const st = new Int32Array(memory.buffer, state, 3 + K);
  try {
    streamBlocks(backward, args, st, K, nb, block, n, slots, slotBytes, a2, b2, C, S, code, sums, sliceBytes);
  } catch (error) {
    // The calling thread may be waiting for one of this worker's blocks: abort the call.
    Atomics.store(st, 1, 1);
    for (let k = 0; k < K; k++) Atomics.notify(st, 3 + k);
    throw error;
  }
}
function streamBlocks(backward, args, st, K, nb, block, n, slots, slotBytes, a2, b2, C, S, code, sums, sliceBytes) {
  const b4 = Math.ceil((4 * block) / 64) * 64;
  for (;;) {
    const j = Atomics.add(st, 2, 1);
    if (j >= nb) return;
    for (let spins = 0; ; spins++) {
      const filled = Atomics.load(st, 0);
      if (filled > j) break;
      if (Atomics.load(st, 1) !== 0) return;
      if (spins > 1000) Atomics.wait(st, 0, filled, 20);
    }
    const start = j * block;
    const length = Math.min(block, n - start);
    let within = 0;
    let c0 = 0;
    if (C !== 1) {
      const run = Math.floor(start / S);
      within = start - run * S;
      c0 = run % C;
    }
    const s = j % K;
    const slot = slots + s * slotBytes;
    if (backward) {
      const acc = sums + s * sliceBytes;
      new Float64Array(memory.buffer, acc, 2 * C).fill(0);
      kernels.backwardRange((slot - 4 * within) | 0, (slot + b4 - 4 * within) | 0, (slot + 2 * b4 - 4 * within) | 0, within, length, a2 + 4 * c0, b2 + 4 * c0, C, S, acc, code);
    } else {
      const v = (slot - 4 * within) | 0;
      kernels.forwardRange(v, v, within, length, a2 + 4 * c0, b2 + 4 * c0, C, S, code);
    }
    Atomics.store(st, 3 + s, j + 1);
    Atomics.notify(st, 3 + s);
  }
}`;
