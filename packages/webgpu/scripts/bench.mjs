// Throughput of the kernels on whatever adapter Dawn finds (SwiftShader without a GPU: that
// is a correctness vehicle, not a speed figure). Usage: pnpm --filter @apalu/webgpu bench [elements]
// (runs under tsx: the workspace's @apalu/dev, which installs SwiftShader, is TypeScript).
import { relaunch } from '@apalu/dev/relaunch';
import { useSwiftShader } from '@apalu/dev/swiftshader';

if (!process.env.APALU_WEBGPU_BENCH_CHILD && useSwiftShader('@apalu/webgpu bench')) {
  // Dawn reads LD_LIBRARY_PATH at process start: run this script again with it set.
  process.exit(await relaunch(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { ...process.env, APALU_WEBGPU_BENCH_CHILD: '1' }));
}

const { Bench } = await import('tinybench');
const { createBackend, BufferUsage } = await import('../dist/index.js');
const n = Number(process.argv[2] ?? 1 << 20);
const backend = await createBackend();
const { device, runner } = backend;
const info = device.adapterInfo ?? {};
const x = Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 4001) / 100 - 20);
const upload = (data) => {
  const buffer = device.createBuffer({ size: data.byteLength, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
};
const [xb, dyb, ab, bb] = [upload(x), upload(x), upload(new Float32Array([0.7])), upload(new Float32Array([1.3]))];
const y = runner.createResultBuffer(n, 'y');
const out = { dx: runner.createResultBuffer(n, 'dx'), da: runner.createResultBuffer(1, 'da'), db: runner.createResultBuffer(1, 'db') };
await runner.warmUp();
const done = () => device.queue.onSubmittedWorkDone();
const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
bench
  .add(`forward, GPU buffers (${n})`, async () => { await runner.forward({ x: xb, a: ab, b: bb, length: n, channels: 1, y }); await done(); })
  .add(`backward, GPU buffers (${n})`, async () => { await runner.backward({ x: xb, dy: dyb, a: ab, b: bb, length: n, channels: 1, ...out }); await done(); })
  .add(`forward, Float32Array in/out (${n})`, async () => { await backend.forward(x, new Float32Array([0.7]), new Float32Array([1.3])); });
await bench.run();
console.log(`adapter: ${info.vendor || '?'} ${info.architecture || ''} ${info.description || ''}`.trim());
for (const task of bench.tasks) {
  const ms = task.result.latency?.mean ?? task.result.mean;
  console.log(`${task.name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms  ${((n / ms) * 1e-3).toFixed(1).padStart(7)} M elements/s`);
}
for (const b of [xb, dyb, ab, bb, y, out.dx, out.da, out.db]) b.destroy();
backend.dispose();
