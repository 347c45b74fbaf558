export * from './types';
export * from './reviews';
export * from './invitations';
export * from './rectification';
export * from './figures';
export { getCounters, listCounters, loadCase } from './store';
