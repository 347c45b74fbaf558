/**
 * The pure domain of 免申即享: policies and their validity, matching, the entitlement state machine,
 * settling a matched pair, the budget, figures. No I/O: the clock, the time zone and the records are passed in.
 */
export * from './types';
export * from './policy';
export * from './subject';
export * from './match';
export * from './plan';
export * from './budget';
export * from './transitions';
export * from './settle';
export * from './lifecycle';
export * from './figures';
export * from './publicity';
export * from './objections';
export * from './time-index';
export * from './recovery';
export * from './push-days';
