import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { useSwiftShader } from '@apalu/webgpu/swiftshader';

// The webgpu rows need a Vulkan driver, and Dawn reads LD_LIBRARY_PATH only when a process
// starts: set SwiftShader up here (no-op with a real GPU), then run the report in a child.
useSwiftShader('@apalu/report');
const report = fileURLToPath(new URL('./report.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', report, ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
// A signal to this process (Ctrl-C, a CI job's SIGTERM) goes to the report too; no orphan is left.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0));
});
