export * from './labels.js';
export * from './motion-grid.js';
export * from './paths.js';
export * from './schema.js';
export * from './time.js';
