export { RuntimeClient, type RuntimeClientOptions } from './runtime-client.js';
