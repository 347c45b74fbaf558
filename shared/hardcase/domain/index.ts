export * from './types';
export * from './deadlines';
export * from './transitions';
export * from './offers';
export * from './figures';
export * from './refusal-notice';
export * from './ordering';
export * from './refusal-notice';
