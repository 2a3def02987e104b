import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Chromium for the browser test and the bench's Chromium rows: the path printed by
 * scripts/setup-chromium.sh (Debian's package, installed when missing and allowed), or why
 * there is none.
 */
export function findChromium(): { path?: string; reason?: string } {
  try {
    const script = fileURLToPath(new URL('./setup-chromium.sh', import.meta.url));
    const path = execFileSync('sh', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    return path ? { path } : { reason: 'scripts/setup-chromium.sh printed no path' };
  } catch (error) {
    return { reason: (error as { stderr?: string }).stderr?.trim() || String(error) };
  }
}
