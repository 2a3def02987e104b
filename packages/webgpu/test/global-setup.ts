import { useSwiftShader } from '../src/swiftshader.js';

/** Without a GPU the tests run on SwiftShader under Dawn (see src/swiftshader.ts). */
export default function setup(): void {
  useSwiftShader('@apalu/webgpu tests');
}
