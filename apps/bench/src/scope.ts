import type { GroupScope } from './types.js';

/** A GroupScope that remembers what it created and disposes it in reverse order. */
export class Scope implements GroupScope {
  private readonly values = new Map<string, Promise<unknown>>();
  private readonly disposers: Array<() => void | Promise<void>> = [];

  once<T>(key: string, create: () => T | Promise<T>, dispose?: (value: T) => void | Promise<void>): Promise<T> {
    let value = this.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = Promise.resolve().then(create);
      this.values.set(key, value);
      if (dispose) this.disposers.push(async () => dispose(await (value as Promise<T>)));
    }
    return value;
  }

  async dispose(): Promise<void> {
    for (const d of this.disposers.reverse()) {
      try {
        await d();
      } catch {
        // a value whose creation failed has nothing to release
      }
    }
    this.values.clear();
    this.disposers.length = 0;
  }
}
