export * from './config/index.js';
export * from './conversations/index.js';
export * from './events/index.js';
export { type AppDependencies, buildApp } from './http/app.js';
export { assertSafeListenAddress, isLoopback } from './lifecycle/listen-policy.js';
export { type RunningServer, startServer } from './lifecycle/serve.js';
export { createLogger, type Logger } from './logging/logger.js';
export { loadSecretKey, SecretCipher } from './secrets/cipher.js';
export * from './storage/index.js';
