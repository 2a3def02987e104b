/** erf(x) to about 1e-15: Maclaurin series for |x| < 3, erfc's continued fraction beyond. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  if (ax < 3) {
    // 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up.
  let cf = ax;
  for (let n = 60; n >= 1; n--) cf = ax + n / 2 / cf;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / cf;
  return Math.sign(x) * (1 - erfc);
}
