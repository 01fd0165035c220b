export * from './paths.js';
export * from './schema.js';
export * from './time.js';
