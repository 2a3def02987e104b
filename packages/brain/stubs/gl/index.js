'use strict';
// The real `gl` returns null when it cannot create a context; gpu.js then marks its
// headless-gl backend unsupported and uses the CPU. This stub always takes that path.
module.exports = function createContext() {
  return null;
};
