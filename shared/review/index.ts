export * from './types';
export * from './reviews';
export * from './invitations';
export * from './rectification';
export * from './figures';
