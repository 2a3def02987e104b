import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vk = join(root, '.vk');
const icd = join(vk, 'vk_swiftshader_icd.json');

/**
 * Without a GPU the tests run on SwiftShader (Vulkan on the CPU) under Dawn. The driver comes
 * from Debian's chromium-common via scripts/setup-swiftshader.sh (idempotent). A caller that
 * already points VK_ICD_FILENAMES somewhere (a real GPU's driver) is left alone.
 */
export default function setup(): void {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.APALU_WEBGPU_NO_SWIFTSHADER) return;
  if (!existsSync(icd)) {
    try {
      execFileSync('sh', [join(root, 'scripts/setup-swiftshader.sh')], { stdio: 'inherit' });
    } catch (error) {
      const message = `SwiftShader setup failed (${(error as Error).message}); the WebGPU tests need a Vulkan driver.`;
      if (process.env.CI) throw new Error(message);
      console.warn(`[@apalu/webgpu] ${message} They will be skipped.`);
      return;
    }
  }
  process.env.VK_ICD_FILENAMES = icd;
  process.env.LD_LIBRARY_PATH = process.env.LD_LIBRARY_PATH ? `${vk}:${process.env.LD_LIBRARY_PATH}` : vk;
}
