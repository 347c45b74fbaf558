/**
 * Validation problems in the one shape the ingest API returns (`{path, message}`), with paths
 * written the way an upstream developer reads them: `data.materials[2].code`.
 */
import type * as z from 'zod/mini';
import type { Issue } from '#rules/types';

export type { Issue };

export type PathSegment = string | number;

const PLAIN_KEY = /^[^.[\]"\s]+$/;

/** `['data', 'materials', 2, 'code']` → `data.materials[2].code`; odd keys are quoted: `form["a.b"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** The inverse of `formatPath`, for issue paths produced as strings (e.g. by the rules validator). */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) segments.push(m[3]);
  }
  return segments;
}

export function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

const NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMATS: Readonly<Record<string, string>> = {
  datetime: 'must be an RFC 3339 timestamp with offset, e.g. "2026-11-03T09:30:00+08:00"',
  date: 'must be a date "YYYY-MM-DD" (a real calendar date)',
};

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input;
}

function bound(n: number | bigint): string {
  return typeof n === 'bigint' ? n.toString() : String(n);
}

/**
 * Plain-English messages for zod's generic issues; messages written on a schema (check digits,
 * cross-field rules) take precedence over this map.
 */
export function errorMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.input === undefined && (iss.code === 'invalid_type' || iss.code === 'invalid_value' || iss.code === 'invalid_union')) {
    return 'is required';
  }
  switch (iss.code) {
    case 'invalid_type':
      return `must be ${NOUNS[iss.expected] ?? iss.expected} (got ${describeInput(iss.input)})`;
    case 'too_small': {
      const min = bound(iss.minimum);
      if (iss.origin === 'string') return min === '1' ? 'must not be empty' : `must be at least ${min} characters`;
      if (iss.origin === 'array') return `must have at least ${min} item${min === '1' ? '' : 's'}`;
      return iss.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = bound(iss.maximum);
      if (iss.origin === 'string') return `must be at most ${max} characters`;
      if (iss.origin === 'array') return `must have at most ${max} items`;
      return iss.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'invalid_format':
      return FORMATS[iss.format] ?? `has an invalid format (${iss.format})`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `must be ${JSON.stringify(iss.values[0])}`
        : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return 'has unknown fields';
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return undefined;
  }
}

/**
 * Zod's issues as `{path, message}`, each unknown key reported at its own path. Only the first problem
 * of a field is kept: an empty string that also fails its pattern needs one message, not two.
 */
export function toIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  const push = (path: string, message: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, message });
  };
  for (const iss of issues) {
    const path = joinPath(prefix, formatPath(iss.path));
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) push(joinPath(path, formatPath([key])), 'is not a known field');
    } else {
      push(path, iss.message);
    }
  }
  return out;
}
