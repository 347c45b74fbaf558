export * from './types';
export * from './policy';
export * from './match';
export * from './transitions';
export * from './figures';
export * from './generator';
export * from './samples';
export { batchGetOutbox, entitlementsOfEnterprise, getBudget, getPolicy, getRun, listActivePolicies, listEntitlements, readFigures } from './store';
