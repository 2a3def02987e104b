const { create } = await import('webgpu');
const gpu = create([]); const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const { WGSL_APALU_MATH } = await import('/work/main/packages/webgpu/dist/index.js');
const upto = Number(process.argv[2]);
const parts = WGSL_APALU_MATH.split('\n// ----');
const code = parts.slice(0, upto).join('\n// ----') + `
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { y[g.x] = 1u; }`;
const m = device.createShaderModule({ code });
//
device.pushErrorScope('validation');
const p = device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
console.log('pipeline', await device.popErrorScope());
globalThis.keep = gpu; await new Promise(r=>setTimeout(r, Number(process.argv[3]||0))); console.log('destroying'); device.destroy(); console.log('destroyed');
