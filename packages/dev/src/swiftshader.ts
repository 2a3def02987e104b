/** Finds or installs SwiftShader so Dawn-based WebGPU tests and apps run on machines without a GPU. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Workspace tooling, Node only: SwiftShader (Vulkan on the CPU, from Debian's chromium-common)
 * for Dawn (the `webgpu` npm package) on machines without a GPU, used by the WebGPU tests of
 * @apalu/webgpu and @apalu/tfjs and by apps/bench and apps/report. The driver lives in
 * packages/dev/.vk, put there by scripts/setup-swiftshader.sh (idempotent).
 */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SwiftShaderEnv {
  VK_ICD_FILENAMES: string;
  LD_LIBRARY_PATH: string;
}

/** The environment that points Vulkan at SwiftShader, or undefined when it is not installed. */
export function swiftShaderEnv(base: Record<string, string | undefined> = process.env): SwiftShaderEnv | undefined {
  const vk = join(packageRoot, '.vk');
  const icd = join(vk, 'vk_swiftshader_icd.json');
  if (!existsSync(icd)) return undefined;
  return { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: base.LD_LIBRARY_PATH ? `${vk}:${base.LD_LIBRARY_PATH}` : vk };
}

/** Installs SwiftShader into this package's .vk folder when missing (needs apt-get and dpkg-deb). */
export function installSwiftShader(): void {
  execFileSync('sh', [join(packageRoot, 'scripts', 'setup-swiftshader.sh')], { stdio: 'inherit' });
}

/** Whether the environment already names a Vulkan driver, or the caller opted out of SwiftShader. */
function leftAlone(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.VK_ICD_FILENAMES) || Boolean(process.env.APALU_WEBGPU_NO_SWIFTSHADER);
}

/**
 * For test and app launchers: install SwiftShader if needed and set VK_ICD_FILENAMES and
 * LD_LIBRARY_PATH in this process, so child processes started afterwards (vitest's forked
 * workers, a relaunched CLI) load it — Dawn reads LD_LIBRARY_PATH only at process start.
 * A real GPU's driver already named in VK_ICD_FILENAMES is left alone, as is
 * APALU_WEBGPU_NO_SWIFTSHADER=1. Under CI a failed install throws; otherwise it warns and
 * returns false.
 */
export function useSwiftShader(label = '@apalu/dev'): boolean {
  if (leftAlone()) return false;
  try {
    if (swiftShaderEnv() === undefined) installSwiftShader();
  } catch (error) {
    const message = `SwiftShader setup failed (${(error as Error).message}); WebGPU needs a Vulkan driver on a machine without a GPU.`;
    if (process.env.CI) throw new Error(message);
    console.warn(`[${label}] ${message} WebGPU work will be skipped.`);
    return false;
  }
  Object.assign(process.env, swiftShaderEnv());
  return true;
}
