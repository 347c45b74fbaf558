export { FACT_ROOTS, OPERATORS } from './types';
export type {
  CompiledCondition,
  CompileOptions,
  Condition,
  Explanation,
  FactRoot,
  Facts,
  Issue,
  Leaf,
  LeafTrace,
  TraceNode,
  Operator,
  Truth,
} from './types';
export { validateCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_LEAVES, MAX_DESCRIPTION_CHARS, MAX_LEAF_ID_CHARS, MAX_LIST_VALUES, MAX_OPERAND_CHARS } from './validate';
export { compileCondition, compileCached, InvalidConditionError, COMPILE_CACHE_LIMIT, ADAPT_CALLS } from './compile';
export { isDateString } from './dates';
export { DEFAULT_TIME_ZONE, InvalidTimeZoneError, TimeZone, timeZone } from './zone';
export {
  nextFlip,
  withinWindow,
  WINDOW_LEAF_IDS,
  type FlipLeaf,
  type NextFlip,
  type NextFlipOptions,
  type ValidityWindow,
} from './next-flip';
