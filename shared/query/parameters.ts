/**
 * Bounds on every query route's path and query parameters (their names too), checked before any route reads a table:
 * a parameter becomes part of a DynamoDB key, and DynamoDB refuses keys over 1,024 bytes (sort key) or
 * 2,048 (partition key) with an error that would otherwise surface as a 500 (a 4xx naming
 * what is wrong, never a 5xx).
 */

/** No identifier, code, period or cursor of the API is longer. */
export const MAX_PARAMETER_LENGTH = 200;
const MAX_CURSOR_LENGTH = 2048;

/** The first problem with the parameters, in words an upstream developer can act on; undefined if none. */
export function parameterProblem(
  params: Readonly<Record<string, string | undefined>>,
  query: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (value === '') return `path parameter "${name}" must not be empty`;
    if (value.length > MAX_PARAMETER_LENGTH) return `path parameter "${name}" is ${value.length} characters long; at most ${MAX_PARAMETER_LENGTH}`;
  }
  for (const [name, value] of Object.entries(query)) {
    // No parameter of the API has a long name: an oversized one is named (its start) rather than ignored.
    if (name.length > MAX_PARAMETER_LENGTH) return `query parameter name "${name.slice(0, 40)}…" is ${name.length} characters long; at most ${MAX_PARAMETER_LENGTH}`;
    if (value === undefined) continue;
    const max = name === 'cursor' ? MAX_CURSOR_LENGTH : MAX_PARAMETER_LENGTH;
    if (value.length > max) return `query parameter "${name}" is ${value.length} characters long; at most ${max}`;
  }
  return undefined;
}
