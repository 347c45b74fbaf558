import { createHash } from 'node:crypto';
import type { Decision } from './decision';
import type { Application } from './types';

/**
 * JSON with object keys sorted at every level, so two serializations of the same content hash alike
 * whatever order the upstream system wrote the keys in. Array order is kept: it is part of the content.
 * Keys whose value is undefined are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // -0 and 0 are the same content; JSON.stringify already maps NaN/Infinity to null.
    if (typeof value === 'number' && Object.is(value, -0)) return '0';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of an application (single item or bundle): stable across key order and redeliveries. */
export function contentHash(application: object): string {
  return createHash('sha256').update(canonicalJson(application)).digest('hex');
}

/** Same applicationId and same content: a redelivery, which must not be decided again. */
export function isSameApplication(a: Application, b: Application): boolean {
  return a.applicationId === b.applicationId && contentHash(a) === contentHash(b);
}

export type SubmissionDisposition = 'decide' | 'duplicate' | 'conflict';

/**
 * What to do with a submitted application given the decision already stored for its id (if any):
 * decide it, ignore a redelivery, or record a conflict (same id, different content) without a second decision.
 */
export function classifySubmission(
  existing: Pick<Decision, 'applicationId' | 'applicationHash'> | undefined,
  application: Application,
): SubmissionDisposition {
  if (existing === undefined) return 'decide';
  return existing.applicationHash === contentHash(application) ? 'duplicate' : 'conflict';
}

/** The two kinds of application an id can be submitted as: one service item, or a bundle (一件事). */
export type ApplicationKind = 'item' | 'bundle';

/**
 * What to do with a submission given the kind of application that already holds its id, if any. An
 * applicationId is decided once, whichever kind it was submitted as: a single-item submission under a
 * bundle application's id (or the reverse) is a conflicting resubmission, recorded against the application
 * that holds the id and never decided. The same kind is the store's create-once gate's to tell
 * (`classifySubmission`): 'decide' here.
 */
export function classifyAgainstHolder(kind: ApplicationKind, heldAs: ApplicationKind | undefined): 'decide' | 'conflict' {
  return heldAs === undefined || heldAs === kind ? 'decide' : 'conflict';
}

/** The conflict receipt's reason when the id is held by the other kind of application (names both, in Chinese as the others). */
export function otherKindConflictReason(kind: ApplicationKind, heldAs: ApplicationKind): string {
  const name = (k: ApplicationKind) => (k === 'bundle' ? '一件事申请' : '单项申请');
  return `同一申请编号已用于${name(heldAs)}，又以${name(kind)}提交，已记录为冲突，未审批`;
}
