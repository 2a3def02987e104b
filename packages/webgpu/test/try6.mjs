const { create } = await import('webgpu');
const adapter = await create([]).requestAdapter();
const device = await adapter.requestDevice();
const code = process.argv[2] + `
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { y[g.x] = 1u; }`;
await import("/work/main/packages/webgpu/dist/index.js");
const m = device.createShaderModule({ code });
device.pushErrorScope('validation');
const p = device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
console.log('pipeline', await device.popErrorScope());
device.destroy();
