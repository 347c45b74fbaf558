/**
 * What the upward-sync integration tests share: the runtime's stand-in platform (the national profile), the
 * schedules they fire, and the reads of the sync records and of what the platform received.
 */
import { makeCreditCode } from '#contract/identifiers';
import type { Running } from '#support/runtime';

/** The local runtime's configuration: the national platform's profile, pushed to the stand-in receiver. */
export const UPWARD_ENV = { CIVICFLOW_LOCAL_CONFIG: JSON.stringify({ upward: { profile: 'national', url: 'local', dataSource: '144' } }) };

/** The two departments whose items the files publish, with the credit codes the platform knows them by. */
export const SJJ = '440305-SJJ';
export const CGJ = '440305-CGJ';
export const SJJ_CREDIT = makeCreditCode('11440305007497265');
export const CGJ_CREDIT = makeCreditCode('11440305MB2C41587');

/** Bound to a getter: the runtime starts in beforeAll. */
export function upwardCalls(runtime: () => Running) {
  return {
    /** Fires a schedule, answered 200, and waits for what it queued: its result. */
    async fire(name: string): Promise<any> {
      const out = await runtime().dev('POST', `/_dev/schedules/${name}`);
      expect(out.status).toBe(200);
      await runtime().drain();
      return out.body.result;
    },
    /** Every sync record in a state, page by page (each answered 200), oldest first. */
    async records(state: string): Promise<any[]> {
      const all: any[] = [];
      let cursor: string | undefined;
      do {
        const out = await runtime().get(`/reviews/sync/records?state=${state}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(out.status).toBe(200);
        all.push(...out.body.records);
        cursor = out.body.cursor;
      } while (cursor !== undefined);
      return all;
    },
    /** What the stand-in platform received, or, with `body`, how it answers from now on (refusals, down); 200. */
    async receiver(body?: unknown): Promise<any> {
      const out = body === undefined ? await runtime().dev('GET', '/_dev/upward/receiver') : await runtime().dev('POST', '/_dev/upward/receiver', body);
      expect(out.status).toBe(200);
      return out.body;
    },
  };
}
