import { useSwiftShader } from '@apalu/dev/swiftshader';

/**
 * The webgpu tests run tfjs-backend-webgpu on Dawn (the `webgpu` package) over SwiftShader when
 * there is no GPU; @apalu/dev (workspace tooling) installs it and points Vulkan at it.
 */
export default function setup(): void {
  useSwiftShader('@apalu/tfjs tests');
}
