/** How many test files vitest runs at once in the workspace packages (at least 2). */
export declare const maxWorkers: number;
