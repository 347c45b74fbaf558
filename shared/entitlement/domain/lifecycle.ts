/**
 * A policy's own lifecycle: publication of a first or newer version, and withdrawal. The pairs'
 * entitlements are planned in transitions.ts.
 */
import type { Instant, Policy } from './types';

export type PolicyPlan =
  | {
      readonly kind: 'publish';
      readonly policy: Policy;
      /** null for a first publication (condition `attribute_not_exists`), else the stored version. */
      readonly fromVersion: number | null;
      /** Match every enterprise again; existing entitlements keep their state (onMatched). */
      readonly rematch: boolean;
    }
  | { readonly kind: 'withdraw'; readonly policy: Policy; readonly fromStatus: 'active' }
  | { readonly kind: 'unchanged'; readonly reason: 'SAME_VERSION' | 'STALE_VERSION' | 'ALREADY_WITHDRAWN' }
  | { readonly kind: 'refused'; readonly reason: 'VERSION_CONFLICT' | 'POLICY_WITHDRAWN' | 'POLICY_UNKNOWN'; readonly message: string };

/**
 * `gov.policy.published`: a first version or a newer one is stored and matched; a replay of the stored
 * version or an older one is ignored. A withdrawn policy stays withdrawn (it pushes nothing more).
 */
export function planPublish(existing: Policy | undefined, incoming: Policy, at: Instant): PolicyPlan {
  const { status: _ignored, withdrawnAt: _w, ...content } = incoming;
  if (existing === undefined) {
    return { kind: 'publish', policy: { ...content, status: 'active', publishedAt: incoming.publishedAt ?? at }, fromVersion: null, rematch: true };
  }
  if (existing.status === 'withdrawn') {
    return { kind: 'refused', reason: 'POLICY_WITHDRAWN', message: `policy ${existing.policyId} was withdrawn at ${String(existing.withdrawnAt)}` };
  }
  if (incoming.version < existing.version) return { kind: 'unchanged', reason: 'STALE_VERSION' };
  if (incoming.version === existing.version) {
    const { status: _s, withdrawnAt: _x, publishedAt: _p, ...stored } = existing;
    const { publishedAt: _q, ...fresh } = content;
    return sameJson(stored, fresh)
      ? { kind: 'unchanged', reason: 'SAME_VERSION' }
      : {
          kind: 'refused',
          reason: 'VERSION_CONFLICT',
          message: `policy ${incoming.policyId} version ${incoming.version} was already published with different content`,
        };
  }
  return {
    kind: 'publish',
    policy: { ...content, status: 'active', publishedAt: existing.publishedAt ?? at },
    fromVersion: existing.version,
    rematch: true,
  };
}

/** `gov.policy.withdrawn`: nothing more is pushed; existing entitlements keep their state. */
export function onWithdrawn(policy: Policy | undefined, at: Instant): PolicyPlan {
  if (policy === undefined) return { kind: 'refused', reason: 'POLICY_UNKNOWN', message: 'no such policy to withdraw' };
  if (policy.status === 'withdrawn') return { kind: 'unchanged', reason: 'ALREADY_WITHDRAWN' };
  return { kind: 'withdraw', policy: { ...policy, status: 'withdrawn', withdrawnAt: at }, fromStatus: 'active' };
}

/** Structural equality of JSON-like values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
