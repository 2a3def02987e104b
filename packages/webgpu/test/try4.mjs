const { create } = await import('webgpu');
const adapter = await create([]).requestAdapter();
const device = await adapter.requestDevice();
const { WGSL_APALU_MATH } = await import('/work/main/packages/webgpu/dist/index.js');
const body = process.argv[2];
const code = `${WGSL_APALU_MATH}
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { let xb = y[g.x]; ${body} }`;
const m = device.createShaderModule({ code });
console.log((await m.getCompilationInfo()).messages.map(x=>x.message));
device.pushErrorScope('validation');
const p = device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
console.log('pipeline', await device.popErrorScope());
device.destroy();
