export * from './types';
export * from './policy';
export * from './match';
export * from './transitions';
export * from './figures';
export * from './generator';
export * from './samples';
