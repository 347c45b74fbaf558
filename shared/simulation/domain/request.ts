/**
 * A simulation request: a draft item version, validated exactly as a published one
 * (`gov.catalog.item.published`), and the window of submissions to replay. Every refusal names its field.
 * The drafts are validated with the versions' own schemas (version-schemas.ts), not through the catalogue
 * of every inbound type, which the simulations API would then carry whole.
 */
import { validateWith } from '#contract/schema-parts';
import { policySchema, serviceItemSchema } from '#contract/version-schemas';
import type { Issue } from '#contract/issues';
import { isRfc3339Timestamp, normaliseTimestamp } from '#contract/timestamp';
import type { ServiceItem } from '#approval';
import type { Policy } from '#entitlement';

/** A draft item version, replayed over the item's stored first decisions submitted in a window. */
export interface ItemSimulationRequest {
  readonly draft: ServiceItem;
  /** Submitted at or after `from` and before `to` (ISO 8601 instants). */
  readonly from: string;
  readonly to: string;
}

/** A draft policy version, matched with the current version over the current profiles. */
export interface PolicySimulationRequest {
  readonly policy: Policy;
}

export type SimulationRequest = ItemSimulationRequest | PolicySimulationRequest;

export const isPolicyRequest = (r: SimulationRequest): r is PolicySimulationRequest => 'policy' in r;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const KNOWN = new Set(['draft', 'from', 'to']);

type Parsed<T> = { ok: true; request: T } | { ok: false; errors: Issue[] };

/** `{draft, from, to}` for an item version, or `{policy}` for a policy version (over the current profiles). */
export function parseRequest(body: unknown): Parsed<SimulationRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object: {draft, from, to} for an item, {policy} for a policy' }] };
  }
  const o = body as Record<string, unknown>;
  if ('policy' in o) return parsePolicyRequest(o);
  return parseItemRequest(o);
}

function parsePolicyRequest(o: Record<string, unknown>): Parsed<PolicySimulationRequest> {
  const errors: Issue[] = Object.keys(o)
    .filter((k) => k !== 'policy')
    .map((k) => ({ path: k, message: KNOWN.has(k) ? 'is not taken with policy (a policy is simulated over the current profiles)' : 'is not a known field' }));
  const checked = validateWith(policySchema, o.policy, 'policy');
  if (!checked.ok) errors.push(...checked.errors);
  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return { ok: true, request: { policy: checked.data as Policy } };
}

function parseItemRequest(o: Record<string, unknown>): Parsed<ItemSimulationRequest> {
  const errors: Issue[] = Object.keys(o)
    .filter((k) => !KNOWN.has(k))
    .map((k) => ({ path: k, message: 'is not a known field' }));
  const instant = (field: 'from' | 'to'): string | undefined => {
    const raw = o[field];
    // RFC 3339 as the event contract takes it (t and z in either case, a leap second), kept in one form.
    const v = typeof raw === 'string' && isRfc3339Timestamp(raw) ? normaliseTimestamp(raw) : raw;
    if (v === undefined) errors.push({ path: field, message: 'is required' });
    else if (typeof v !== 'string' || !INSTANT.test(v) || Number.isNaN(Date.parse(v))) {
      errors.push({ path: field, message: 'must be an ISO 8601 date-time with a time zone' });
    } else return v;
    return undefined;
  };
  const from = instant('from');
  const to = instant('to');
  if (from !== undefined && to !== undefined && !(Date.parse(from) < Date.parse(to))) errors.push({ path: 'to', message: 'must be after from' });
  let draft: ServiceItem | undefined;
  if (o.draft === undefined) errors.push({ path: 'draft', message: 'is required' });
  else {
    const checked = validateWith(serviceItemSchema, o.draft, 'draft');
    if (checked.ok) draft = checked.data as ServiceItem;
    else errors.push(...checked.errors);
  }
  if (errors.length > 0 || draft === undefined || from === undefined || to === undefined) return { ok: false, errors };
  return { ok: true, request: { draft, from, to } };
}
