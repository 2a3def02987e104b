import Decimal from 'decimal.js';

// An independent reference: the SPEC formulas evaluated in 120-digit decimal arithmetic,
// sharing no code with core.
const D = Decimal.clone({ precision: 120 });
const K = new D('1.702');
const ONE = new D(1);

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The exact value of a double (its shortest decimal string is not exact for subnormals). */
function exact(x: number): Decimal {
  if (!Number.isFinite(x) || x === 0) return new D(x);
  f64[0] = x;
  const bits = u64[0] as bigint;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  if (biased !== 0) mantissa |= 1n << 52n;
  const e = (biased === 0 ? 1 : biased) - 1075;
  return new D(mantissa.toString()).mul(new D(2).pow(e)).mul(x < 0 ? -1 : 1);
}

/** e^x − 1 without cancellation: its Taylor series for |x| < 0.5 (120 digits cannot hold 1 − 1e-300). */
function expm1(x: Decimal): Decimal {
  if (x.abs().gte(0.5)) return x.exp().minus(1);
  let term = x;
  let sum = x;
  for (let n = 2; n < 200; n++) {
    term = term.mul(x).div(n);
    sum = sum.plus(term);
    if (term.isZero() || term.abs().lt(sum.abs().mul('1e-125'))) break;
  }
  return sum;
}

function sigma(t: Decimal): Decimal {
  return ONE.div(ONE.plus(t.neg().exp()));
}

export function exactF(x: number, a: number, b: number): number {
  const X = exact(x);
  if (x >= 0) return exact(a).mul(X).mul(ONE.plus(sigma(K.mul(X)))).toNumber();
  return exact(b).mul(expm1(X)).toNumber();
}

export function exactDx(x: number, a: number, b: number): number {
  const X = exact(x);
  if (x >= 0) {
    const s = sigma(K.mul(X));
    return exact(a).mul(ONE.plus(s).plus(K.mul(X).mul(s).mul(ONE.minus(s)))).toNumber();
  }
  return exact(b).mul(X.exp()).toNumber();
}

export function exactSecond(x: number, a: number, b: number): number {
  const X = exact(x);
  if (x >= 0) {
    const s = sigma(K.mul(X));
    return exact(a).mul(K).mul(s).mul(ONE.minus(s)).mul(new D(2).plus(K.mul(X).mul(ONE.minus(s.mul(2))))).toNumber();
  }
  return exact(b).mul(X.exp()).toNumber();
}

/** Σ dy·∂f/∂a and Σ dy·∂f/∂b over x, exactly, then rounded once. */
export function exactSums(x: ArrayLike<number>, dy: ArrayLike<number>): { da: number; db: number; scaleA: number; scaleB: number } {
  let da = new D(0);
  let db = new D(0);
  let scaleA = 0;
  let scaleB = 0;
  for (let i = 0; i < x.length; i++) {
    const X = exact(x[i] as number);
    const g = exact(dy[i] as number);
    if ((x[i] as number) >= 0) {
      const t = g.mul(X).mul(ONE.plus(sigma(K.mul(X))));
      da = da.plus(t);
      scaleA += Math.abs(t.toNumber());
    } else {
      const t = g.mul(expm1(X));
      db = db.plus(t);
      scaleB += Math.abs(t.toNumber());
    }
  }
  return { da: da.toNumber(), db: db.toNumber(), scaleA, scaleB };
}
