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
  /** GET /applications/{id}, answered 200: the application's decision, its history and trace. */
  decisionOf(applicationId: string): Promise<any>;
  /** GET /events/{id}/receipt as the event's own source, answered 200. */
  receiptOf(event: { readonly id: string; readonly source: string }): Promise<any>;
  /** The events sent outbound of a type about a subject, read from the dev outbox. */
  outbound(type: string, subject: string): Promise<any[]>;
  /** Fires a schedule (e.g. `approval-deadlines`) now on the dev clock, answered 200: its result. */
  fireSchedule(name: string): Promise<any>;
}

export function callsOn(runtime: () => Running): Calls {
  return {
    async postAll(events) {
      const out = await runtime().post(events);
      expect({ status: out.status, rejected: out.body.rejected }).toEqual({ status: 202, rejected: [] });
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
    async fireSchedule(name) {
      const fired = await runtime().dev('POST', `/_dev/schedules/${name}`);
      expect(fired.status).toBe(200);
      return fired.body.result;
    },
  };
}

/** An instant `ms` after `iso` (before it, for a negative `ms`). */
export const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
