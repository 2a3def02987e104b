import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relaunch } from '../src/relaunch.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts test/relaunch-parent.ts and sends `signal` to it (not to its child) once the child is up. */
function parentWithChild(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/relaunch-parent.ts'], { cwd: packageDir });
    let stdout = '';
    let sent = false;
    parent.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (!sent && stdout.includes('child: ready')) {
        sent = true;
        parent.kill(signal);
      }
    });
    parent.on('error', reject);
    // 'close' waits for the child too: it holds the same stdout pipe.
    parent.on('close', (code, sig) => resolve({ code, signal: sig, stdout }));
  });
}

describe('relaunch (the SwiftShader restart of the bench and report CLIs)', () => {
  it('passes SIGINT on to the child and exits with its code', async () => {
    const run = await parentWithChild('SIGINT');
    expect(run.stdout).toContain('child: SIGINT');
    expect(run.code).toBe(3);
  });

  it('passes SIGTERM on and exits 128 + 15 when the signal ended the child', async () => {
    const run = await parentWithChild('SIGTERM');
    expect(run.signal).toBeNull();
    expect(run.code).toBe(143);
  });

  it('resolves 1 when the child cannot start', async () => {
    await expect(relaunch(join(packageDir, 'no-such-program'), [], process.env)).resolves.toBe(1);
  });
});
