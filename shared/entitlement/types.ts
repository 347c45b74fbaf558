// The module path the monthly report imports today; it moves to `#entitlement` (issue #15, the edges' part),
// and then this file goes.
export * from './domain/types';
