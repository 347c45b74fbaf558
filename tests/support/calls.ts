/**
 * The calls an integration test makes of the running runtime, each with the check every test makes of its
 * answer, so that a test file names what it reads and not how.
 *
 *   let rt: Running;                                    // started in beforeAll
 *   const { postAll, decisionOf, receiptOf } = callsOn(() => rt);
 *   const variant = variants('t');                      // SQ-…-t1, SQ-…-t2, …
 *
 * The runtime is passed as a getter: the calls are made when the file is read, the runtime only in beforeAll.
 */
import { sample, type Running } from './runtime';

/**
 * A maker of samples with a fresh event id (the sample's, `-${tag}` and a number counted per maker) and
 * their data changed: the front door keeps each (source, id) once, so a test posting a sample again needs one.
 */
export function variants(tag: string): (type: string, name: string, data?: Record<string, unknown>) => any {
  let seq = 0;
  return (type, name, data = {}) => {
    const base = sample(type, name);
    return { ...base, id: `${base.id}-${tag}${++seq}`, data: { ...base.data, ...data } };
  };
}

export interface Calls {
  /** Posts a batch; every event in it accepted (202, none rejected). */
  postAll(events: unknown[]): Promise<void>;
  /** Posts one event, accepted; a failure names the event's id. */
  postOne(event: { readonly id: string }): Promise<void>;
  /** Posts each event on its own, in order, each accepted; then waits until the queues are empty. */
  postDrained(...events: Array<{ readonly id: string }>): Promise<void>;
  /** GET /applications/{id}, answered 200: the application's decision, its history and trace. */
  decisionOf(applicationId: string): Promise<any>;
  /** GET /events/{id}/receipt as the event's own source, answered 200. */
  receiptOf(event: { readonly id: string; readonly source: string }): Promise<any>;
  /** The events sent outbound of a type about a subject, read from the dev outbox. */
  outbound(type: string, subject: string): Promise<any[]>;
  /** GET /policies/{id}, answered 200: the policy, its publicity and its figures. */
  policyOf(policyId: string): Promise<any>;
  /** GET /policies/{id}/entitlements (the first 100), answered 200: the policy's pairs. */
  pairsOf(policyId: string): Promise<any[]>;
  /** Fires a schedule (e.g. `approval-deadlines`) now on the dev clock, answered 200: its result. */
  fireSchedule(name: string): Promise<any>;
}

export function callsOn(runtime: () => Running): Calls {
  // Local, not a method: a test takes the calls apart (`const { postDrained } = callsOn(…)`).
  async function postOne(event: { readonly id: string }): Promise<void> {
    const out = await runtime().post(event);
    expect({ id: event.id, status: out.status, rejected: out.body.rejected }).toEqual({ id: event.id, status: 202, rejected: [] });
  }
  return {
    postOne,
    async postAll(events) {
      const out = await runtime().post(events);
      expect({ status: out.status, rejected: out.body.rejected }).toEqual({ status: 202, rejected: [] });
    },
    async postDrained(...events) {
      for (const event of events) await postOne(event);
      await runtime().drain();
    },
    async decisionOf(applicationId) {
      const out = await runtime().get(`/applications/${encodeURIComponent(applicationId)}`);
      expect(out.status).toBe(200);
      return out.body;
    },
    async receiptOf(event) {
      const out = await runtime().get(`/events/${encodeURIComponent(event.id)}/receipt`, { as: event.source });
      expect(out.status).toBe(200);
      return out.body;
    },
    async outbound(type, subject) {
      return (await runtime().dev('GET', `/_dev/outbound?type=${encodeURIComponent(type)}&subject=${encodeURIComponent(subject)}`)).body.events;
    },
    async policyOf(policyId) {
      const res = await runtime().get(`/policies/${policyId}`);
      expect(res.status).toBe(200);
      return res.body;
    },
    async pairsOf(policyId) {
      const res = await runtime().get(`/policies/${policyId}/entitlements?limit=100`);
      expect(res.status).toBe(200);
      return res.body.items;
    },
    async fireSchedule(name) {
      const fired = await runtime().dev('POST', `/_dev/schedules/${name}`);
      expect(fired.status).toBe(200);
      return fired.body.result;
    },
  };
}

/** An instant `ms` after `iso` (before it, for a negative `ms`). */
export const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
