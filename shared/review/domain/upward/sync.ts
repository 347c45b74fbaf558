/**
 * The outbox record of one platform record: `PENDING → SENT → ACKED | REJECTED(reason)`, with
 * retries and a parking place. Pure transitions; the store writes `next` on the condition that `version`
 * is still the one it read, so two senders cannot both start the same attempt.
 *
 * - A record that cannot be mapped, or that the profile's validator refuses, starts REJECTED with the
 *   reasons: the platform would refuse it too, so no attempt is spent on it.
 * - An attempt has a number (`attemptNo`, never reused). An answer for an attempt that is not the latest
 *   one is stale and changes nothing, except an ack: whatever attempt it answers, the platform has the
 *   record, so it is ACKED. A rejection the platform gives because it already has the record
 *   ("评价数据不可重复") is an ack too, which makes re-pushing an acked record harmless for the platform.
 * - A failure that is nobody's fault (timeout, 5xx, network) schedules the next attempt: attempt n waits
 *   min(base × 2^(n−1), max) after it failed — no jitter, so the schedule is the same on every run. After
 *   `maxAttempts` failures in a row the record is PARKED and waits for a re-push.
 * - A re-push takes REJECTED and PARKED records, and PENDING / SENT records stuck past a timeout; never an
 *   ACKED one. It starts a new round of attempts, optionally with a freshly mapped payload.
 */

import type { MapResult, PlatformRecord, RecordKey, RecordKind, UpwardProfile } from './types';
import { validateRecord } from './validate';

export const SYNC_STATES = ['PENDING', 'SENT', 'ACKED', 'REJECTED', 'PARKED'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Rejection codes of records refused before sending; platform rejections bring their own codes. */
export const MAPPING_REJECTION = 'MAPPING';
export const INVALID_REJECTION = 'INVALID_FIELDS';
/** A platform rejection with this code means the platform already has the record. */
export const DUPLICATE_REJECTION = 'DUPLICATE';

export interface SyncConfig {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A SENT record without an answer this long after the attempt started is stuck. */
  readonly sentTimeoutMs: number;
  /** A PENDING record still unsent this long after it was due is stuck. */
  readonly pendingGraceMs: number;
}

/** 1, 2, 4 … 64 minutes: eight attempts over about two hours before a record is parked. */
export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  sentTimeoutMs: 600_000,
  pendingGraceMs: 900_000,
};

export interface SyncRejection {
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

export interface SyncRecord {
  /** `${projectNo}#${assessNumber}`: the platform's key, so one record per key. */
  readonly recordId: string;
  readonly key: RecordKey;
  readonly kind: RecordKind;
  readonly caseId: string;
  /** When the review, default or step happened: sync lag is measured from here. */
  readonly sourceEventAt: string;
  readonly createdAt: string;
  /** Null when the record could not be mapped. */
  readonly payload: PlatformRecord | null;
  readonly state: SyncState;
  /** Attempts in the current round. */
  readonly attempt: number;
  /** Number of the latest attempt over the record's life; answers name the attempt they answer. */
  readonly attemptNo: number;
  /** 1, plus one per re-push. */
  readonly round: number;
  /** PENDING: when the next attempt is due. */
  readonly nextAttemptAt?: string;
  /** SENT: when the latest attempt started. */
  readonly sentAt?: string;
  readonly ackedAt?: string;
  /** REJECTED: why. */
  readonly rejection?: SyncRejection;
  /** The latest failure that was nobody's fault (kept while retrying and when PARKED). */
  readonly lastError?: { readonly message: string; readonly at: string };
  readonly version: number;
}

export interface SyncTransition {
  readonly from: SyncState | null;
  readonly to: SyncState;
  readonly at: string;
  readonly reason?: string;
}

/** The result of every operation: a change to write, or why there is none (nothing to write). */
export type SyncChange =
  | { readonly changed: true; readonly next: SyncRecord; readonly transition: SyncTransition }
  | { readonly changed: false; readonly next: SyncRecord; readonly ignored: string };

export type PlatformAnswer =
  | { readonly kind: 'ack' }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string }
  /** Timeout, 5xx, a broken connection: try again later. */
  | { readonly kind: 'failed'; readonly message: string };

export function recordIdOf(key: RecordKey): string {
  return `${key.projectNo}#${key.assessNumber}`;
}

export function backoffDelayMs(attempt: number, config: SyncConfig): number {
  return Math.min(config.baseDelayMs * 2 ** Math.max(0, attempt - 1), config.maxDelayMs);
}

function plus(at: string, ms: number): string {
  return new Date(Date.parse(at) + ms).toISOString();
}

function change(record: SyncRecord, next: Omit<SyncRecord, 'version'>, at: string, reason?: string): SyncChange {
  return {
    changed: true,
    next: { ...next, version: record.version + 1 },
    transition: { from: record.state, to: next.state, at, ...(reason !== undefined ? { reason } : {}) },
  };
}

function ignore(record: SyncRecord, why: string): SyncChange {
  return { changed: false, next: record, ignored: why };
}

/** What a record needs besides its mapping: the case and when its review, default or step happened. */
export interface NewSyncRecord {
  readonly mapping: MapResult;
  readonly caseId: string;
  readonly sourceEventAt: string;
  readonly profile: UpwardProfile;
}

/** A mapped record that passes the profile's checks, or the reasons it cannot be sent. */
function admit(mapping: MapResult, profile: UpwardProfile, at: string): { payload: PlatformRecord | null; rejection?: SyncRejection } {
  if (!mapping.ok) {
    const message = mapping.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    return { payload: null, rejection: { code: MAPPING_REJECTION, message, at } };
  }
  const issues = validateRecord(profile, mapping.record);
  if (issues.length === 0) return { payload: mapping.record };
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return { payload: mapping.record, rejection: { code: INVALID_REJECTION, message, at } };
}

export function createSyncRecord(input: NewSyncRecord, now: string): { readonly record: SyncRecord; readonly transition: SyncTransition } {
  const { payload, rejection } = admit(input.mapping, input.profile, now);
  const record: SyncRecord = {
    recordId: recordIdOf(input.mapping.key),
    key: input.mapping.key,
    kind: input.mapping.kind,
    caseId: input.caseId,
    sourceEventAt: input.sourceEventAt,
    createdAt: now,
    payload,
    state: rejection === undefined ? 'PENDING' : 'REJECTED',
    attempt: 0,
    attemptNo: 0,
    round: 1,
    ...(rejection === undefined ? { nextAttemptAt: now } : { rejection }),
    version: 1,
  };
  return { record, transition: { from: null, to: record.state, at: now, ...(rejection ? { reason: rejection.message } : {}) } };
}

export function isDue(record: SyncRecord, now: string): boolean {
  return record.state === 'PENDING' && record.nextAttemptAt !== undefined && Date.parse(record.nextAttemptAt) <= Date.parse(now);
}

/** Starts the next attempt of a due record; the sender sends `next.payload` and answers `next.attemptNo`. */
export function startAttempt(record: SyncRecord, now: string): SyncChange {
  if (record.state !== 'PENDING') return ignore(record, `record is ${record.state}, not PENDING`);
  if (!isDue(record, now)) return ignore(record, `next attempt is due at ${record.nextAttemptAt}`);
  const { nextAttemptAt: _due, ...rest } = record;
  return change(record, { ...rest, state: 'SENT', attempt: record.attempt + 1, attemptNo: record.attemptNo + 1, sentAt: now }, now);
}

/** After a failure: the next attempt on the backoff schedule, or PARKED after the last one. */
function retryOrPark(record: SyncRecord, message: string, now: string, config: SyncConfig): SyncChange {
  const { sentAt: _sent, ...rest } = record;
  const lastError = { message, at: now };
  if (record.attempt >= config.maxAttempts) {
    return change(record, { ...rest, state: 'PARKED', lastError }, now, `${record.attempt} attempts failed; last: ${message}`);
  }
  const nextAttemptAt = plus(now, backoffDelayMs(record.attempt, config));
  return change(record, { ...rest, state: 'PENDING', nextAttemptAt, lastError }, now, message);
}

/** The platform's answer to attempt `attemptNo`. */
export function applyAnswer(record: SyncRecord, attemptNo: number, answer: PlatformAnswer, now: string, config: SyncConfig): SyncChange {
  const isAck = answer.kind === 'ack' || (answer.kind === 'rejected' && answer.code === DUPLICATE_REJECTION);
  if (isAck) {
    if (record.state === 'ACKED') return ignore(record, 'already acknowledged');
    const { nextAttemptAt: _n, sentAt: _s, rejection: _r, ...rest } = record;
    return change(record, { ...rest, state: 'ACKED', ackedAt: now }, now, answer.kind === 'rejected' ? answer.message : undefined);
  }
  if (record.state !== 'SENT' || attemptNo !== record.attemptNo) {
    return ignore(record, `answer to attempt ${attemptNo} is stale (record is ${record.state}, latest attempt ${record.attemptNo})`);
  }
  if (answer.kind === 'failed') return retryOrPark(record, answer.message, now, config);
  const { sentAt: _sent, ...rest } = record;
  const rejection = { code: answer.code, message: answer.message, at: now };
  return change(record, { ...rest, state: 'REJECTED', rejection }, now, `${answer.code}: ${answer.message}`);
}

/** A SENT record nobody answered within the timeout counts as a failed attempt (run by the scheduler). */
export function expireAttempt(record: SyncRecord, now: string, config: SyncConfig): SyncChange {
  if (record.state !== 'SENT' || record.sentAt === undefined) return ignore(record, `record is ${record.state}, not SENT`);
  if (Date.parse(now) - Date.parse(record.sentAt) <= config.sentTimeoutMs) return ignore(record, 'attempt still within its timeout');
  return retryOrPark(record, `no answer within ${config.sentTimeoutMs / 1000} s`, now, config);
}

/** Whether a re-push takes the record, and if not, why not. */
export function repushEligibility(record: SyncRecord, now: string, config: SyncConfig): { readonly eligible: boolean; readonly reason: string } {
  const age = (at: string | undefined) => (at === undefined ? 0 : Date.parse(now) - Date.parse(at));
  switch (record.state) {
    case 'ACKED':
      return { eligible: false, reason: 'acknowledged by the platform' };
    case 'REJECTED':
      return { eligible: true, reason: `rejected: ${record.rejection?.code ?? 'unknown'}` };
    case 'PARKED':
      return { eligible: true, reason: 'parked after the last attempt' };
    case 'PENDING':
      return age(record.nextAttemptAt) > config.pendingGraceMs
        ? { eligible: true, reason: 'pending past its due time' }
        : { eligible: false, reason: 'pending, not stuck' };
    case 'SENT':
      return age(record.sentAt) > config.sentTimeoutMs
        ? { eligible: true, reason: 'sent without an answer past the timeout' }
        : { eligible: false, reason: 'sent, waiting for the answer' };
  }
}

/**
 * Re-pushes a record: a new round of attempts, due now. With `remapped`, the payload is mapped again
 * (after a stage fixed a code table or a credit code); a remapping that still fails leaves it REJECTED.
 */
export function repush(
  record: SyncRecord,
  now: string,
  config: SyncConfig,
  remapped?: { readonly mapping: MapResult; readonly profile: UpwardProfile },
): SyncChange {
  const eligibility = repushEligibility(record, now, config);
  if (!eligibility.eligible) return ignore(record, `not re-pushed: ${eligibility.reason}`);
  const { nextAttemptAt: _n, sentAt: _s, rejection: _r, ...rest } = record;
  const base = { ...rest, attempt: 0, round: record.round + 1 };
  if (remapped !== undefined) {
    if (recordIdOf(remapped.mapping.key) !== record.recordId) return ignore(record, 'the remapped record has another key');
    const admitted = admit(remapped.mapping, remapped.profile, now);
    if (admitted.rejection !== undefined) {
      return change(record, { ...base, payload: admitted.payload, state: 'REJECTED', rejection: admitted.rejection }, now, admitted.rejection.message);
    }
    return change(record, { ...base, payload: admitted.payload, state: 'PENDING', nextAttemptAt: now }, now, eligibility.reason);
  }
  const refusedHere = record.rejection?.code === MAPPING_REJECTION || record.rejection?.code === INVALID_REJECTION;
  if (record.payload === null || refusedHere) {
    return ignore(record, 'not re-pushed: the record was refused before sending; re-push it with a new mapping');
  }
  return change(record, { ...base, state: 'PENDING', nextAttemptAt: now }, now, eligibility.reason);
}
