/**
 * Neumaier's compensated sum: the error stays near one rounding of the result instead of
 * growing with the number of terms, which the strict class needs for da and db.
 * Non-finite terms and overflow follow plain IEEE summation (∞ stays ∞, ∞ − ∞ is NaN).
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;
  private nonFinite = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.nonFinite += value;
      return;
    }
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    if (!Number.isFinite(this.sum)) return this.sum + this.nonFinite;
    return this.sum + this.compensation + this.nonFinite;
  }
}
