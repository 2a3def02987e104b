import { describe, expect, it } from 'vitest';
import { ensureNavigatorGpu } from '../src/platform/node-gpu.js';

describe('ensureNavigatorGpu', () => {
  it("adds gpu and keeps the navigator's own fields (Node ≥ 21 keeps them as prototype getters)", async () => {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    class FakeNavigator {
      get userAgent() {
        return 'Node.js/24';
      }
      get hardwareConcurrency() {
        return 16;
      }
    }
    Object.defineProperty(globalThis, 'navigator', { value: new FakeNavigator(), configurable: true, writable: true });
    try {
      expect(await ensureNavigatorGpu()).toBe(true);
      const nav = g.navigator as { gpu?: unknown; userAgent?: string; hardwareConcurrency?: number };
      expect(nav.gpu).toBeDefined();
      expect([nav.userAgent, nav.hardwareConcurrency]).toEqual(['Node.js/24', 16]);
    } finally {
      if (saved === undefined) delete g.navigator;
      else Object.defineProperty(globalThis, 'navigator', saved);
    }
  });
});
