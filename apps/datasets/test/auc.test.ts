import { describe, expect, it } from 'vitest';
import { rocAuc } from '../src/auc.js';
import { rng } from '../src/data/random.js';

/** O(n²) definition: P(score⁺ > score⁻) + ½ P(tie). */
function bruteForce(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((q, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('rocAuc', () => {
  it('is 1 for perfect separation, 0 for reversed, ½ when every score ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([3, 3, 3, 3, 3], [0, 1, 0, 1, 1])).toBe(0.5);
  });

  it('matches hand-computed cases', () => {
    // scikit-learn's roc_auc_score docstring example: 3 of 4 pairs ordered.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // positives {1, 2}, negatives {2, 0}: pairs (1,2)=0, (1,0)=1, (2,2)=½, (2,0)=1 → 2.5 / 4.
    expect(rocAuc([1, 2, 2, 0], [1, 1, 0, 0])).toBe(0.625);
    // one positive above 2 of 3 negatives and tied with the third: (2 + ½) / 3.
    expect(rocAuc([5, 1, 2, 5], [1, 0, 0, 0])).toBeCloseTo(2.5 / 3, 15);
  });

  it('agrees with the pairwise definition on random data with many ties', () => {
    const random = rng(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(random() * 60);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : random() < 0.3 ? 1 : 0));
      const scores = Array.from({ length: n }, () => Math.floor(random() * 6) / 2);
      expect(rocAuc(scores, labels)).toBeCloseTo(bruteForce(scores, labels), 12);
    }
  });

  it('rejects inputs for which AUC is undefined, naming the problem', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/2 positives and 0 negatives/);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/labels\[1\] = 2/);
    expect(() => rocAuc([1, Number.NaN], [0, 1])).toThrow(/scores\[1\] is NaN/);
    expect(() => rocAuc([1, 2, 3], [0, 1])).toThrow(/3 scores but 2 labels/);
  });
});
