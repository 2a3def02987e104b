/**
 * A 32-bit generator built from integer operations only (splitmix32), so a seed gives the
 * same sequence on every platform and engine.
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Uniform in the open interval (0, 1), with 24 random bits so every value is a float32. */
export function openUnit(next: () => number): number {
  return ((next() >>> 8) + 0.5) / 16777216;
}
