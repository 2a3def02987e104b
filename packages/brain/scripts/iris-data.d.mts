export interface IrisRow {
  input: number[];
  output: number[];
}
export declare const TRAIN_PER_CLASS: number;
export declare function irisSplit(seed: number): { train: IrisRow[]; test: IrisRow[]; classes: string[] };
export declare function accuracy(net: { run(input: number[]): ArrayLike<number> | unknown }, rows: IrisRow[]): number;
