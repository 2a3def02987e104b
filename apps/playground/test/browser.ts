import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags a closed network and WebGPU and WebGL2 on SwiftShader need: headless, no sandbox, no
 * background networking, unsafe WebGPU, WebGL through ANGLE's SwiftShader (headless chromium has
 * no WebGL context without them).
 */
const FLAGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught exceptions seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Debian's chromium, headless, with a fresh profile that is deleted on close. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'apalu-playground-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    // onnxruntime-web prints its native log through console.error, warnings included: with the
    // WebGPU provider a session always warns that shape ops stay on the CPU (by design), and
    // @apalu/onnx offers no logSeverityLevel option to quiet it. Its errors ([E:…]) still count.
    if (message.type() === 'error' && !/\[W:onnxruntime:/.test(message.text())) errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
