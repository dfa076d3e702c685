export * from './errors/index.js';
export * from './events/index.js';
export * from './enums.js';
