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
