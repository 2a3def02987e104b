import { useSwiftShader } from '@apalu/dev/swiftshader';

/** The webgpu row needs a Vulkan driver: SwiftShader without a GPU (the workspace's @apalu/dev installs it). */
export default function setup(): void {
  useSwiftShader('@apalu/bench tests');
}
