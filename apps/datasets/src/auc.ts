/**
 * Area under the ROC curve: the probability that a random positive scores higher than a
 * random negative, ties counting one half (Mann–Whitney U with mid-ranks). Positives are
 * `labels[i] === 1` (for Deep SVDD: the anomalies; a higher score means more anomalous).
 * O(n log n). Throws when a class is missing (AUC is undefined then) or a score is NaN.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`rocAuc: ${n} scores but ${labels.length} labels; give one label per score.`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new Error(`rocAuc: labels[${i}] = ${String(l)}; labels must be 0 (normal) or 1 (anomaly).`);
    if (Number.isNaN(scores[i])) throw new Error(`rocAuc: scores[${i}] is NaN; the model produced no usable score.`);
    positives += l;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new Error(`rocAuc: ${positives} positives and ${negatives} negatives; both classes are needed.`);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => (scores[i] as number) - (scores[j] as number));
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const midRank = (start + end + 2) / 2; // ranks are 1-based
    for (let k = start; k <= end; k++) if (labels[order[k]!] === 1) rankSum += midRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
