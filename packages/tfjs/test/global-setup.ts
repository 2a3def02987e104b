import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The webgpu tests run tfjs-backend-webgpu on Dawn (the `webgpu` package) over SwiftShader when
 * there is no GPU. @apalu/webgpu ships the idempotent installer (scripts/setup-swiftshader.sh,
 * into its own .vk folder); this runs it when needed and points Vulkan at it. A caller that
 * already set VK_ICD_FILENAMES (a real GPU) is left alone.
 */
export default function setup(): void {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.APALU_WEBGPU_NO_SWIFTSHADER) return;
  const root = dirname(createRequire(import.meta.url).resolve('@apalu/webgpu/package.json'));
  const vk = join(root, '.vk');
  const icd = join(vk, 'vk_swiftshader_icd.json');
  if (!existsSync(icd)) {
    try {
      execFileSync('sh', [join(root, 'scripts/setup-swiftshader.sh')], { stdio: 'inherit' });
    } catch (error) {
      const message = `SwiftShader setup failed (${(error as Error).message}); the tfjs webgpu tests need a Vulkan driver.`;
      if (process.env.CI) throw new Error(message);
      console.warn(`[@apalu/tfjs] ${message} They will be skipped.`);
      return;
    }
  }
  process.env.VK_ICD_FILENAMES = icd;
  process.env.LD_LIBRARY_PATH = process.env.LD_LIBRARY_PATH ? `${vk}:${process.env.LD_LIBRARY_PATH}` : vk;
}
