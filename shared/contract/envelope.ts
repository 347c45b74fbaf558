/**
 * CloudEvents 1.0 structured mode: the envelope, then the `data` of the event's type, every
 * problem reported at once with its path so an upstream system can fix a whole event in one round.
 */
import * as z from 'zod/mini';
import { INBOUND_TYPES, isInboundType, type InboundType } from './inbound';
import { dataSchemas, type DataOf } from './schemas';
import { validateWith } from './schema-parts';
import { errorMessage, toIssues, type Issue } from './issues';
import { openDataIssues, PROTOTYPE_KEYS } from './open-data';
import { hardCaseChannelProblem } from './hardcase';
import { rfc3339Timestamp } from './timestamp';

export type { DataOf, Issue, InboundType };
export { INBOUND_TYPES, isInboundType };

export const CONTEXT_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'subject', 'dataschema', 'data'] as const;

/** CloudEvents: extension names are lower-case ASCII letters and digits (20 is a SHOULD; 64 bounds abuse). */
const EXTENSION_NAME = /^[a-z0-9]{1,64}$/;
const MAX_EXTENSIONS = 20;
const MAX_EXTENSION_VALUE = 1024;
/**
 * DynamoDB nests at most 32 levels and the stored event wraps `data`; deeper JSON is rejected here
 * rather than failing in a consumer.
 */
export const MAX_DATA_DEPTH = 20;

/** RFC 3986 URI-reference characters, with every `%` followed by two hex digits. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

const envelopeShape = {
  specversion: z.literal('1.0'),
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  source: z.string().check(
    z.minLength(1),
    z.maxLength(1024),
    z.regex(URI_REFERENCE, 'must be a URI-reference naming the upstream system, e.g. "/systems/window-acceptance"'),
  ),
  type: z.enum(INBOUND_TYPES, {
    error: (iss) => (iss.input === undefined ? 'is required' : 'is not a known inbound event type'),
  }),
  // RFC 3339 as upstream systems may write it; kept with T and Z upper-case (timestamp.ts). Not checked
  // against the receipt as the data's times are: no consumer reads it, each type's data says when it happened.
  time: rfc3339Timestamp(),
  datacontenttype: z.optional(
    z.string().check(z.regex(JSON_CONTENT_TYPE, 'must be "application/json" (data is a JSON object)')),
  ),
  subject: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  dataschema: z.optional(z.string().check(z.minLength(1), z.maxLength(1024), z.regex(ABSOLUTE_URI, 'must be an absolute URI'))),
};

/** The envelope with `data` as any JSON object; extension attributes are checked beside it. */
export const envelopeSchema = z.looseObject({ ...envelopeShape, data: z.record(z.string(), z.unknown()) });

/** The whole CloudEvent of one type, for JSON Schema generation and typed access. */
export function eventSchema<T extends InboundType>(type: T) {
  return z.looseObject({ ...envelopeShape, type: z.literal(type), data: dataSchemas[type] });
}

export interface EnvelopeAttributes {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly datacontenttype?: string;
  readonly subject?: string;
  readonly dataschema?: string;
}

export interface Envelope extends EnvelopeAttributes {
  readonly type: InboundType;
  readonly data: Readonly<Record<string, unknown>>;
  /** Extension attributes (lower-case names), kept as sent. */
  readonly extensions: Readonly<Record<string, string | number | boolean>>;
}

/** A validated inbound CloudEvent of type T. Extension attributes stay on the object as sent. */
export interface CloudEventOf<T extends InboundType> extends EnvelopeAttributes {
  readonly type: T;
  readonly data: DataOf<T>;
}

/** Every validated inbound event, discriminated by `type`. */
export type InboundEvent = { [T in InboundType]: CloudEventOf<T> }[InboundType];

export type EnvelopeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly id?: string; readonly errors: Issue[] };

export type EventResult =
  | { readonly ok: true; readonly event: InboundEvent }
  | { readonly ok: false; readonly id?: string; readonly errors: Issue[] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Iterative, so a hostile nesting cannot overflow the stack. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function extensionIssues(raw: Record<string, unknown>): { issues: Issue[]; extensions: Record<string, string | number | boolean> } {
  const issues: Issue[] = [];
  const extensions: Record<string, string | number | boolean> = {};
  const known: ReadonlySet<string> = new Set(CONTEXT_ATTRIBUTES);
  const names = Object.keys(raw).filter((k) => !known.has(k));
  if (names.length > MAX_EXTENSIONS) {
    issues.push({ path: '', message: `has ${names.length} extension attributes; at most ${MAX_EXTENSIONS} are allowed` });
    return { issues, extensions };
  }
  for (const name of names) {
    const path = /^[A-Za-z0-9_]+$/.test(name) ? name : JSON.stringify(name);
    const value = raw[name];
    if (name === 'data_base64') {
      issues.push({ path, message: 'binary data is not accepted; send data as a JSON object' });
    } else if (!EXTENSION_NAME.test(name)) {
      issues.push({ path, message: 'is not a CloudEvents attribute; extension names are lower-case letters and digits' });
    } else if (PROTOTYPE_KEYS.has(name)) {
      issues.push({ path, message: `key "${name}" is not allowed: it reaches object prototypes` });
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))) {
      extensions[name] = value;
    } else if (typeof value === 'string' && value.length <= MAX_EXTENSION_VALUE) {
      extensions[name] = value;
    } else {
      issues.push({ path, message: `extension attribute must be a string (at most ${MAX_EXTENSION_VALUE} characters), an integer or a boolean` });
    }
  }
  return { issues, extensions };
}

function idOf(raw: unknown): string | undefined {
  return isPlainObject(raw) && typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
}

function failure(raw: unknown, errors: Issue[]): { ok: false; id?: string; errors: Issue[] } {
  const id = idOf(raw);
  return id === undefined ? { ok: false, errors } : { ok: false, id, errors };
}

/** Validates the CloudEvents 1.0 envelope only; `data` must be a JSON object of any shape. */
export function validateEnvelope(raw: unknown): EnvelopeResult {
  if (!isPlainObject(raw)) return { ok: false, errors: [{ path: '', message: 'event must be a JSON object' }] };
  const parsed = envelopeSchema.safeParse(raw, { error: errorMessage });
  const { issues, extensions } = extensionIssues(raw);
  const errors = [...(parsed.success ? [] : toIssues(parsed.error.issues)), ...issues];
  if (isPlainObject(raw.data) && jsonDepthExceeds(raw.data, MAX_DATA_DEPTH)) {
    errors.push({ path: 'data', message: `is nested deeper than ${MAX_DATA_DEPTH} levels` });
  } else if (isPlainObject(raw.data)) {
    // Every `data` object is open (fields beyond the named ones are kept): what the store cannot hold is refused here.
    errors.push(...openDataIssues(raw.data));
  }
  const { data: _data, ...attributes } = raw;
  errors.push(...openDataIssues(attributes, [], { strings: 'only' }));
  if (!parsed.success || errors.length > 0) return failure(raw, errors);
  const { data, type, ...envelopeAttributes } = parsed.data;
  const envelope: Envelope = {
    specversion: envelopeAttributes.specversion,
    id: envelopeAttributes.id,
    source: envelopeAttributes.source,
    time: envelopeAttributes.time,
    ...(envelopeAttributes.datacontenttype === undefined ? {} : { datacontenttype: envelopeAttributes.datacontenttype }),
    ...(envelopeAttributes.subject === undefined ? {} : { subject: envelopeAttributes.subject }),
    ...(envelopeAttributes.dataschema === undefined ? {} : { dataschema: envelopeAttributes.dataschema }),
    type,
    data,
    extensions,
  };
  return { ok: true, envelope };
}

/** Validates the `data` of a known type; paths are relative to `data` unless a prefix is given. */
export function validateData<T extends InboundType>(
  type: T,
  data: unknown,
  prefix = 'data',
  options: ValidationOptions = {},
): { ok: true; data: DataOf<T> } | { ok: false; errors: Issue[] } {
  return validateWith(dataSchemas[type], data, prefix, options) as { ok: true; data: DataOf<T> } | { ok: false; errors: Issue[] };
}

export interface ValidationOptions {
  /**
   * The local date of the check ("YYYY-MM-DD"): an ID number whose birth date is after it is refused, and a
   * date-only asOf after it.
   */
  readonly today?: string;
  /**
   * When the event was received (ISO timestamp): a time of `data` saying when something happened (an asOf, a
   * submittedAt, a step's at…) more than CLOCK_SKEW_MINUTES after it is refused.
   */
  readonly receivedAt?: string;
  /** The stage's IANA time zone, in which a date-only policy bound is a local day (Asia/Shanghai by default). */
  readonly timeZone?: string;
}

/**
 * Validates the envelope and, when the type is known, the `data` of that type: all problems at once,
 * with paths such as `time`, `data.applicant.id` or `data.materials[2].code` (one problem per path).
 */
export function validateEvent(raw: unknown, options: ValidationOptions = {}): EventResult {
  const envelope = validateEnvelope(raw);
  if (!isPlainObject(raw)) return envelope.ok ? failure(raw, []) : envelope;
  const type = raw.type;
  const dataResult =
    isInboundType(type) && isPlainObject(raw.data) && !jsonDepthExceeds(raw.data, MAX_DATA_DEPTH)
      ? validateData(type, raw.data, 'data', options)
      : undefined;
  const errors = onePerPath([
    ...(envelope.ok ? [] : envelope.errors),
    ...(dataResult?.ok === false ? dataResult.errors : []),
    ...(envelope.ok && dataResult?.ok ? sourceIssues(envelope.envelope, dataResult.data) : []),
  ]);
  if (!envelope.ok || dataResult === undefined || !dataResult.ok || errors.length > 0) {
    return failure(raw, errors);
  }
  // Extension attributes ride along as sent; the envelope and data are the validated values.
  const event = { ...raw, ...withoutExtensions(envelope.envelope), data: dataResult.data } as unknown as InboundEvent;
  return { ok: true, event };
}

/** Rules that tie `data` to the source posting it: a 办不成事 case is reported on its source's own channels. */
function sourceIssues(envelope: Envelope, data: Readonly<Record<string, unknown>>): Issue[] {
  if (envelope.type !== 'gov.hardcase.reported') return [];
  const problem = hardCaseChannelProblem(envelope.source, String(data.channel));
  return problem === undefined ? [] : [{ path: 'data.channel', message: problem }];
}

function onePerPath(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}

function withoutExtensions(e: Envelope): Omit<Envelope, 'extensions'> {
  const { extensions: _extensions, ...rest } = e;
  return rest;
}
