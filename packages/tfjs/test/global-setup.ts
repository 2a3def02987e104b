import { useSwiftShader } from '@apalu/webgpu/swiftshader';

/**
 * The webgpu tests run tfjs-backend-webgpu on Dawn (the `webgpu` package) over SwiftShader when
 * there is no GPU; @apalu/webgpu installs it and points Vulkan at it.
 */
export default function setup(): void {
  useSwiftShader('@apalu/tfjs tests');
}
