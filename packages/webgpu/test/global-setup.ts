import { useSwiftShader } from '@apalu/dev/swiftshader';

/** Without a GPU the tests run on SwiftShader under Dawn (the workspace's @apalu/dev installs it). */
export default function setup(): void {
  useSwiftShader('@apalu/webgpu tests');
}
