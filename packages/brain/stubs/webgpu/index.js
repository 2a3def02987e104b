'use strict';
// gpu.js reaches WebGPU through navigator.gpu, never through this package; anything that
// does require it gets an explicit error instead of a failing native binding.
module.exports = {
  create() {
    throw new Error('webgpu is stubbed out for brain.js/gpu.js (see @apalu/brain README, "Install"); install the real `webgpu` package where you need Dawn.');
  },
  globals: {},
};
