const { create } = await import('webgpu');
const adapter = await create([]).requestAdapter();
const device = await adapter.requestDevice();
const { WGSL_SOURCES } = await import('/work/main/packages/webgpu/dist/index.js');
for (const [k, code] of Object.entries(WGSL_SOURCES)) {
  const m = device.createShaderModule({ code });
  const info = await m.getCompilationInfo();
  console.log(k, info.messages.map(x => `${x.type} ${x.lineNum}:${x.linePos} ${x.message}`).join('\n'));
  device.pushErrorScope('validation');
  const t = Date.now();
  const p = device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
  console.log('pipeline', k, Date.now() - t, await device.popErrorScope());
}
device.destroy();
