export * from './types';
export * from './profiles';
export * from './map';
export * from './validate';
export * from './sync';
export * from './sync-figures';
