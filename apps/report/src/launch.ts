import { fileURLToPath } from 'node:url';
import { relaunch } from '@apalu/dev/relaunch';
import { useSwiftShader } from '@apalu/dev/swiftshader';

// The webgpu rows need a Vulkan driver, and Dawn reads LD_LIBRARY_PATH only when a process
// starts: set SwiftShader up here (no-op with a real GPU), then run the report in a child.
// A signal to this process (Ctrl-C, a CI job's SIGTERM) goes to the report too (@apalu/dev's
// relaunch): no orphan is left.
useSwiftShader('@apalu/report');
const report = fileURLToPath(new URL('./report.ts', import.meta.url));
process.exitCode = await relaunch(process.execPath, ['--import', 'tsx', report, ...process.argv.slice(2)], process.env);
