import { useSwiftShader } from '@apalu/webgpu/swiftshader';

/** The webgpu row needs a Vulkan driver: SwiftShader without a GPU (see @apalu/webgpu/swiftshader). */
export default function setup(): void {
  useSwiftShader('@apalu/bench tests');
}
