/**
 * `Idempotency-Key` on POST /simulations: a client that retries a start (after a 503, a timeout, a lost
 * answer) sends the same key, and gets the simulation its first request started instead of a second job.
 *
 * A key is 1–128 visible ASCII characters (`!` to `~`), no space and no comma (a header sent twice arrives
 * joined by commas, so it could not be told from one key). It is scoped to the principal that sent it and
 * kept for RETENTION_HOURS from the first request; after that the same key starts a new simulation. The
 * request it is bound to is compared by a hash of the validated request in canonical form (keys sorted, times
 * in one form), so the same draft sent with its fields in another order is the same request.
 *
 * Pure: the clock is passed in.
 */
import { contentHash } from '#util/canonical';
import type { SimulationRequest } from './request';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const MAX_KEY_LENGTH = 128;
export const RETENTION_HOURS = 24;
/**
 * How long a first request may take between storing its job and queueing the job's slices before a
 * repeat of its key queues them itself (the first one failed, or its function ran out of time).
 */
export const SETTLE_MS = 3_000;

const KEY = /^[!-+\--~]+$/; // visible ASCII, 0x21–0x7E, without the comma (0x2C)

export type ParsedKey = { readonly ok: true; readonly key?: string } | { readonly ok: false; readonly message: string };

/** The header's value as the gateway hands it over (undefined: not sent). */
export function parseIdempotencyKey(value: string | undefined): ParsedKey {
  if (value === undefined) return { ok: true };
  if (value.length < 1 || value.length > MAX_KEY_LENGTH) {
    return { ok: false, message: `must be 1 to ${MAX_KEY_LENGTH} characters (got ${value.length})` };
  }
  if (!KEY.test(value)) {
    return { ok: false, message: 'must be visible ASCII characters (! to ~) without spaces or commas, sent once' };
  }
  return { ok: true, key: value };
}

/** The stored binding of a principal's key to the simulation its first request started. */
export interface KeyRecord {
  /** Hash of (principal, key): the key itself is never stored or logged (a client may put anything in it). */
  readonly keyId: string;
  readonly principal: string;
  readonly simulationId: string;
  /** Hash of the canonical request the key was first sent with. */
  readonly requestHash: string;
  readonly createdAt: string;
  /** Epoch seconds: the record no longer counts from then (and the table's TTL removes it). */
  readonly expiresAt: number;
  /** True once the job's slices were queued. */
  readonly queued: boolean;
}

export const keyIdOf = (principal: string, key: string): string => contentHash(['simulation-key', principal, key]);

export const requestHashOf = (request: SimulationRequest): string => contentHash(request);

export const expiresAtOf = (now: string): number => Math.floor(Date.parse(now) / 1000) + RETENTION_HOURS * 3600;

export const isExpired = (record: Pick<KeyRecord, 'expiresAt'>, now: string): boolean => record.expiresAt <= Math.floor(Date.parse(now) / 1000);

/**
 * What a repeat of a key does, given the record its first request stored:
 *   conflict — the key was first sent with another request: refused, nothing started;
 *   replay   — the same request, its job queued: answered with the same simulation;
 *   wait     — the same request, its job stored but not queued yet: the first request is still under way;
 *   requeue  — the same request, its job never queued and the first request long over: queue its slices
 *              (a slice stores its tally once, so a slice queued twice counts once).
 */
export type Repeat = 'conflict' | 'replay' | 'wait' | 'requeue';

export function decideRepeat(stored: KeyRecord, requestHash: string, now: string): Repeat {
  if (stored.requestHash !== requestHash) return 'conflict';
  if (stored.queued) return 'replay';
  return Date.parse(now) - Date.parse(stored.createdAt) < SETTLE_MS ? 'wait' : 'requeue';
}
