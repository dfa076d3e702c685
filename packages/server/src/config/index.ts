export { type LoadConfigOptions, loadConfig } from './load.js';
export { ConfigSchema, type DeftConfig } from './schema.js';
