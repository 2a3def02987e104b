import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useSwiftShader } from '@apalu/webgpu/swiftshader';

// The webgpu rows need a Vulkan driver, and Dawn reads LD_LIBRARY_PATH only when a process
// starts: set SwiftShader up here (no-op with a real GPU), then run the report in a child.
useSwiftShader('@apalu/report');
const report = fileURLToPath(new URL('./report.ts', import.meta.url));
const child = spawnSync(process.execPath, ['--import', 'tsx', report, ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
process.exitCode = child.status ?? 1;
