/**
 * The local stand-in for the provincial / national 好差评 platform (issue #19): the runtime serves it at
 * `POST /_dev/upward/platform` when the stage's `upward.url` is `local`. It checks each record with the
 * profile's validators (the checks the sender makes before sending, so a record it refuses here is one
 * the sender's profile let through) and answers as the sender reads a platform (shared/review/platform-client.ts):
 * 200 acknowledged, 409 already acknowledged, 422 refused with a code and reason, 503 while "down".
 *
 * It can be told (`POST /_dev/upward/receiver`) to be down, or to refuse named records with a code — the
 * platform's own reasons, such as a department it does not know yet — until told otherwise; and it keeps
 * what it received (`GET /_dev/upward/receiver`), so a test can see that nothing acknowledged came twice.
 */
import { profileNamed } from '#review/domain/upward/profiles';
import { recordIdOf } from '#review/domain/upward/sync';
import { validateRecord } from '#review/domain/upward/validate';
import type { PlatformRecord } from '#review/domain/upward/types';
import type { DevRoute } from './gateway';

export const RECEIVER_PATH = '/_dev/upward/platform';

interface Refusal {
  readonly code: string;
  readonly message: string;
}

interface Received {
  readonly record: PlatformRecord;
  /** Deliveries of this key, acknowledged or not. */
  deliveries: number;
  ackedAt?: string;
  /** Deliveries after it was acknowledged (answered 409). */
  afterAck: number;
}

function parse<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8') || '{}') as T;
  } catch {
    return undefined;
  }
}

export function upwardReceiver(profileName: string): Record<string, DevRoute> {
  const profile = profileNamed(profileName);
  let down = false;
  const refusals = new Map<string, Refusal>();
  const received = new Map<string, Received>();
  let answers = { acked: 0, duplicate: 0, refused: 0, down: 0 };

  const platform: DevRoute = async (_req, body) => {
    if (down) {
      answers.down++;
      return { status: 503, body: { code: 'UNAVAILABLE', message: 'the platform is down (local receiver told so)' } };
    }
    const record = parse<PlatformRecord>(body);
    if (record === undefined || typeof record !== 'object' || Array.isArray(record)) {
      answers.refused++;
      return { status: 400, body: { code: 'BAD_JSON', message: 'the body must be a JSON object of string fields' } };
    }
    const id = recordIdOf({ projectNo: String(record.projectNo ?? ''), assessNumber: String(record.assessNumber ?? '') });
    const seen = received.get(id) ?? { record, deliveries: 0, afterAck: 0 };
    received.set(id, seen);
    seen.deliveries++;
    if (seen.ackedAt !== undefined) {
      seen.afterAck++;
      answers.duplicate++;
      return { status: 409, body: { code: 'DUPLICATE', message: '评价数据不可重复: the platform has this record' } };
    }
    const issues = validateRecord(profile, record);
    if (issues.length > 0) {
      answers.refused++;
      return { status: 422, body: { code: 'INVALID_FIELDS', message: issues.map((i) => `${i.field}: ${i.message}`).join('; ') } };
    }
    const refusal = refusals.get(id) ?? refusals.get(String(record.projectNo));
    if (refusal) {
      answers.refused++;
      return { status: 422, body: refusal };
    }
    seen.ackedAt = new Date().toISOString();
    answers.acked++;
    return { status: 200, body: { code: '0', message: 'ok' } };
  };

  const control: DevRoute = async (_req, body) => {
    const input = parse<{ down?: unknown; refuse?: unknown; accept?: unknown; reset?: unknown }>(body);
    if (input === undefined) return { status: 400, body: { error: 'body must be JSON' } };
    if (input.down !== undefined) {
      if (typeof input.down !== 'boolean') return { status: 400, body: { error: 'down: give true or false' } };
      down = input.down;
    }
    if (input.refuse !== undefined) {
      const list = input.refuse as { id?: unknown; code?: unknown; message?: unknown }[];
      if (!Array.isArray(list) || list.some((r) => typeof r?.id !== 'string' || typeof r.code !== 'string')) {
        return { status: 400, body: { error: 'refuse: give [{"id": recordId or projectNo, "code": "...", "message": "..."}]' } };
      }
      for (const r of list) refusals.set(r.id as string, { code: r.code as string, message: String(r.message ?? r.code) });
    }
    if (input.accept !== undefined) {
      if (!Array.isArray(input.accept)) return { status: 400, body: { error: 'accept: give a list of record ids or projectNos' } };
      for (const id of input.accept) refusals.delete(String(id));
    }
    if (input.reset === true) {
      refusals.clear();
      received.clear();
      answers = { acked: 0, duplicate: 0, refused: 0, down: 0 };
      down = false;
    }
    return { status: 200, body: state() };
  };

  function state() {
    const records = [...received.entries()].map(([recordId, r]) => ({ recordId, deliveries: r.deliveries, acked: r.ackedAt !== undefined, afterAck: r.afterAck }));
    return { profile: profile.name, down, refusing: [...refusals.keys()], answers, records };
  }

  return {
    [`POST ${RECEIVER_PATH}`]: platform,
    'GET /_dev/upward/receiver': async (_req, _body, url) => {
      const id = url.searchParams.get('recordId');
      if (id !== null) {
        const r = received.get(id);
        return r ? { status: 200, body: { recordId: id, ...r } } : { status: 404, body: { error: `no record ${id} received` } };
      }
      return { status: 200, body: state() };
    },
    'POST /_dev/upward/receiver': control,
  };
}
