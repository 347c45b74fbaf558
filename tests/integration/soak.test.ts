/**
 * Soak: a bounded burst of mixed events (completed cases, reviews from the web and by SMS, instant
 * applications approved and rejected) posted in batches of 100 over loopback with bounded concurrency,
 * then drained; every figure must equal the one computed from what was posted.
 *
 * `npm test` posts 20,000 events (about 3 minutes on 2 cores). For a quicker local run set
 * CIVICFLOW_SOAK_EVENTS (e.g. 500). Each run logs its measured throughput (`soak: {...}`), and with
 * CIVICFLOW_SOAK_REPORT=<file> writes it there as JSON. That figure is measured beside the rest of the
 * suite, so nothing quotes it as the product's speed: BENCHMARKS.md does that (docs/operations.md, **Soak**).
 */
import { writeFileSync } from 'node:fs';
import { startLocal, type Running } from '#support/runtime';
import { CLOCK, batches, pool, postUntilAccepted, workload } from './mixed-events';

const EVENTS = Math.min(50_000, Math.max(100, Number(process.env.CIVICFLOW_SOAK_EVENTS ?? 20_000)));
// Bounded in time too: 60 s plus 25 ms per event (20,000 events: 9 minutes at most, i.e. no slower than
// 40 events/s; the last runs took under 3 minutes).
const BUDGET_MS = 60_000 + EVENTS * 25;

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
  await rt.dev('POST', '/_dev/clock', { set: CLOCK });
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

/** Drains in steps of at most 4 minutes (an HTTP request waits at most 5). */
async function drainWithin(ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await rt.drain(Math.max(1000, Math.min(240_000, deadline - Date.now())));
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
}

describe(`soak: ${EVENTS} mixed events through the HTTP API`, () => {
  it(
    'accepts every event and ends with every figure equal to the expected one',
    async () => {
      const w = workload('SOAK', EVENTS);
      expect((await rt.post(w.item)).status).toBe(202);
      await rt.drain();

      const started = Date.now();
      const results = await pool(batches(w.events, 100), 4, (b) => postUntilAccepted((x) => rt.post(x), b));
      const posted = Date.now();
      for (const r of results) expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
      expect(results.reduce((n, r) => n + r.body.accepted.length, 0)).toBe(w.events.length);
      await drainWithin(Math.max(60_000, BUDGET_MS - (Date.now() - started)));
      const drained = Date.now();

      const e = w.expected;
      const approvals = (await rt.get(`/approval/figures?itemCode=${e.itemCode}`)).body;
      expect({ decisions: approvals.decisions, byOutcome: approvals.byOutcome }).toEqual({
        decisions: e.approved + e.rejected,
        byOutcome: { APPROVED: e.approved, APPROVED_ON_COMMITMENT: 0, ACCEPTED_PENDING_MATERIALS: 0, MANUAL_REVIEW: 0, REJECTED: e.rejected, TERMINATED: 0, REVOKED: 0 },
      });
      const reviews = (await rt.get(`/reviews/figures?dimension=department&key=${e.department}&period=2026-11`)).body.figures;
      const negative = e.byLevel['1'] + e.byLevel['2'];
      expect(reviews).toMatchObject({
        completedCases: e.cases,
        realReviews: e.cases,
        byLevel: e.byLevel,
        negative,
        positive: e.cases - negative,
        points: e.byLevel['2'] * 3 + e.byLevel['3'] * 6 + e.byLevel['4'] * 8 + e.byLevel['5'] * 10,
        defaulted: 0,
      });
      const opened = (await rt.get(`/reviews/figures?dimension=department&key=${e.itemDepartment}&period=2026-11`)).body.figures;
      expect(opened.completedCases).toBe(e.approved);
      const queues = (await rt.dev('GET', '/_dev/queues')).body;
      for (const [name, d] of Object.entries(queues) as Array<[string, { dlq: number }]>) expect([name, d.dlq]).toEqual([name, 0]);

      const report = {
        events: w.events.length,
        retriedRequests: results.filter((r) => r.retries > 0).length,
        postSeconds: (posted - started) / 1000,
        totalSeconds: (drained - started) / 1000,
        ingestEventsPerSecond: Math.round(w.events.length / ((posted - started) / 1000)),
        endToEndEventsPerSecond: Math.round(w.events.length / ((drained - started) / 1000)),
      };
      console.log(`soak: ${JSON.stringify(report)}`);
      if (process.env.CIVICFLOW_SOAK_REPORT) writeFileSync(process.env.CIVICFLOW_SOAK_REPORT, JSON.stringify(report, null, 2) + '\n');
    },
    BUDGET_MS + 30_000,
  );
});
