import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { build, preview, type PreviewServer } from 'vite';
import { CHROMIUM } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built site, e.g. http://127.0.0.1:41234/ (a secure context, so WebGPU is exposed). */
    baseUrl: string;
    /** Why the browser tests cannot run here; empty when they can. */
    skipReason: string;
  }
}

let server: PreviewServer | undefined;

/**
 * chromium comes from Debian (scripts/setup-chromium.sh, idempotent); the site is built from the
 * current sources and served by `vite preview` with the same COOP/COEP headers as `pnpm preview`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let skipReason = '';
  try {
    // Idempotent: returns at once when chromium and the emoji font are there.
    execFileSync('sh', [join(root, 'scripts/setup-chromium.sh')], { stdio: 'inherit' });
  } catch (error) {
    if (existsSync(CHROMIUM)) {
      console.warn(`[playground] scripts/setup-chromium.sh failed (${(error as Error).message}); chromium is there, screenshots may lack emoji.`);
    } else {
      skipReason = `chromium is missing at ${CHROMIUM} and scripts/setup-chromium.sh failed: ${(error as Error).message}`;
      if (process.env.CI) throw new Error(skipReason);
      console.warn(`[playground] ${skipReason}; the browser tests are skipped.`);
    }
  }
  // 'error': the known 'externalized for browser compatibility' notices stay in `pnpm build`'s log.
  await build({ root, logLevel: 'error' });
  server = await preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error(`vite preview did not listen on a TCP port (${String(address)})`);
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
  project.provide('skipReason', skipReason);
  return async () => {
    await server?.close();
  };
}
