/**
 * Limits on what an event may carry wherever its `data` is open (forms, licence attributes, profile
 * extras, every `data` object's fields beyond the named ones), so that every accepted event can be stored:
 * each rule below is something the DynamoDB marshaller or DynamoDB itself refuses, or something that
 * reaches object prototypes in the code that copies the data. Found by storing such values through the
 * functions' own DynamoDB client against DynamoDB Local (see docs/contract.md, "Open objects").
 *
 * The walk is iterative (a hostile nesting cannot overflow the stack) and stops after a handful of issues,
 * so a payload with thousands of bad keys costs one bounded answer.
 */
import { formatPath, type Issue } from './issues';

/** Keys that reach `Object.prototype` or a constructor when data is copied or marshalled. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Longer keys are refused (DynamoDB Local fails on map keys of tens of KB; no real field name is this long). */
export const MAX_KEY_LENGTH = 256;
/** The marshaller refuses integers it cannot represent exactly; JSON numbers beyond this are not exact anyway. */
export const MAX_EXACT_NUMBER = Number.MAX_SAFE_INTEGER;
/** DynamoDB refuses a non-zero number of smaller magnitude ("Number underflow"). */
export const MIN_NUMBER_MAGNITUDE = 1e-130;
/** Issues reported per event at most: enough to fix a payload, bounded for a hostile one. */
const MAX_ISSUES = 20;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` holds a UTF-16 surrogate without its pair: not Unicode text, and not storable as UTF-8. */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

function keyProblem(key: string): string | undefined {
  if (PROTOTYPE_KEYS.has(key)) return `key "${key}" is not allowed: it reaches object prototypes`;
  if (key === '') return 'an empty key is not allowed: DynamoDB cannot store an empty attribute name';
  if (key.length > MAX_KEY_LENGTH) return `key is ${key.length} characters long; keys may be at most ${MAX_KEY_LENGTH}`;
  if (hasLoneSurrogate(key)) return 'key holds an unpaired UTF-16 surrogate (\\uD800–\\uDFFF); keys must be valid Unicode';
  return undefined;
}

function numberProblem(n: number): string | undefined {
  const magnitude = Math.abs(n);
  if (magnitude > MAX_EXACT_NUMBER) return `number ${n} cannot be stored exactly; numbers may be at most ±${MAX_EXACT_NUMBER}`;
  if (magnitude !== 0 && magnitude < MIN_NUMBER_MAGNITUDE) return `number ${n} is too small to store; a non-zero number must be at least 1e-130 in magnitude`;
  return undefined;
}

/**
 * Everything in `value` (an event's `data`, or a whole event for `strings` only) that could not be stored:
 * keys that reach prototypes, empty, too long or not Unicode; numbers the store cannot hold; strings with
 * unpaired surrogates. Paths start with `prefix`, e.g. `data.form["constructor"]`.
 */
export function openDataIssues(value: unknown, prefix: readonly (string | number)[] = ['data'], options: { readonly strings?: 'only' } = {}): Issue[] {
  const issues: Issue[] = [];
  const stack: Array<[unknown, readonly (string | number)[]]> = [[value, prefix]];
  const stringsOnly = options.strings === 'only';
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) issues.push({ path: formatPath(path), message: 'holds an unpaired UTF-16 surrogate (\\uD800–\\uDFFF); strings must be valid Unicode' });
    } else if (typeof v === 'number') {
      const problem = stringsOnly ? undefined : numberProblem(v);
      if (problem) issues.push({ path: formatPath(path), message: problem });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]]);
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const problem = stringsOnly ? (hasLoneSurrogate(key) ? keyProblem(key) : undefined) : keyProblem(key);
        // A bad key is named by its parent's path plus the key as far as it can be written.
        if (problem) issues.push({ path: formatPath([...path, printableKey(key)]), message: problem });
        else stack.push([(v as Record<string, unknown>)[key], [...path, key]]);
      }
    }
  }
  return issues.slice(0, MAX_ISSUES);
}

/** A key as it can be shown in a path: surrogates escaped, long keys cut. */
function printableKey(key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return shown.replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
