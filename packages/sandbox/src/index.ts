export { defaultRuntimeBundleDir } from './bundle-location.js';
export { DockerSandboxProvider, type DockerSandboxProviderOptions } from './docker/docker-provider.js';
export { WarmPool, type WarmPoolOptions } from './pool/warm-pool.js';
export { CgroupSupport } from './process/cgroups.js';
export {
  ProcessSandboxProvider,
  type ProcessSandboxProviderOptions,
  probeBubblewrap,
} from './process/process-provider.js';
export type {
  ExposedUrl,
  NetworkMode,
  ResourceLimits,
  RuntimeEndpoint,
  SandboxInfo,
  SandboxKind,
  SandboxProvider,
  SandboxSpec,
} from './provider.js';
export { RuntimeClient, type RuntimeClientOptions } from './runtime-client/index.js';
