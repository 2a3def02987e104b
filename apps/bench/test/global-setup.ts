import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webgpu = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@apalu', 'webgpu');
const vk = join(webgpu, '.vk');
const icd = join(vk, 'vk_swiftshader_icd.json');

/**
 * The webgpu row needs a Vulkan driver. Without a GPU, @apalu/webgpu's own idempotent script
 * puts SwiftShader in its .vk folder (Debian's chromium-common); it is pointed to here, as that
 * package's tests do. A VK_ICD_FILENAMES already set (a real GPU) is left alone.
 */
export default function setup(): void {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.APALU_WEBGPU_NO_SWIFTSHADER) return;
  if (!existsSync(icd)) {
    try {
      execFileSync('sh', [join(webgpu, 'scripts', 'setup-swiftshader.sh')], { stdio: 'inherit' });
    } catch (error) {
      const message = `SwiftShader setup failed (${(error as Error).message}); the webgpu row will be unavailable.`;
      if (process.env.CI) throw new Error(message);
      console.warn(`[@apalu/bench] ${message}`);
      return;
    }
  }
  process.env.VK_ICD_FILENAMES = icd;
  process.env.LD_LIBRARY_PATH = process.env.LD_LIBRARY_PATH ? `${vk}:${process.env.LD_LIBRARY_PATH}` : vk;
}
