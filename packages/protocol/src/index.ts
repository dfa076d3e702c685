export * from './api/index.js';
export * from './enums.js';
export * from './errors/index.js';
export * from './events/index.js';
