/**
 * `GET` and `POST /_dev/pollers` (local/dev-routes.ts): `{"paused": true|false}` holds the queue pollers and
 * lets them go, and a bad body answers 400 naming the field; `POST /_dev/drain` while they are held answers
 * 409 at once instead of waiting its whole time for queues nothing would empty. The hold itself is pinned in
 * pollers.test.ts, and through the runtime in tests/integration/dev-pollers.test.ts.
 */
import { devRoutes, DRAIN_WHILE_PAUSED, type DevContext } from '#local/dev-routes';
import { drainer } from '#local/watch';

let paused = false;
const calls: string[] = [];
/** What the fake drain does: answer at once, or wait until the test pauses the pollers (then, as drainer does, give up). */
let drainWaits = false;
const routes = devRoutes({
  pollers: {
    paused: () => paused,
    pause: async () => {
      calls.push('pause');
      paused = true;
    },
    resume: () => {
      calls.push('resume');
      paused = false;
    },
  },
  drain: async () => {
    calls.push('drain');
    while (drainWaits && !paused) await new Promise((r) => setTimeout(r, 2));
    return !paused;
  },
  queueDepths: () => ({ approval: { visible: 1, inFlight: 0, delayed: 0, dlq: 0 } }),
} as unknown as DevContext);

async function call(key: string, body = '', query = ''): Promise<{ status: number; body: any }> {
  return (await routes[key]!({} as never, Buffer.from(body), new URL(`http://local${key.split(' ')[1]}${query}`))) as { status: number; body: any };
}

beforeEach(() => {
  paused = false;
  drainWaits = false;
  calls.splice(0);
});

describe('POST /_dev/pollers', () => {
  it('holds the pollers and lets them go, answering the state, which GET shows', async () => {
    expect(await call('GET /_dev/pollers')).toEqual({ status: 200, body: { paused: false } });
    expect(await call('POST /_dev/pollers', '{"paused": true}')).toEqual({ status: 200, body: { paused: true } });
    expect(await call('GET /_dev/pollers')).toEqual({ status: 200, body: { paused: true } });
    expect(await call('POST /_dev/pollers', '{"paused": false}')).toEqual({ status: 200, body: { paused: false } });
    expect(await call('GET /_dev/pollers')).toEqual({ status: 200, body: { paused: false } });
    expect(calls).toEqual(['pause', 'resume']);
  });

  it.each([
    ['', /^paused: give true or false$/],
    ['{}', /^paused: give true or false$/],
    ['{"paused": "true"}', /^paused: give true or false$/],
    ['{"paused": null}', /^paused: give true or false$/],
    ['{"paused": 1}', /^paused: give true or false$/],
    ['{"pause": true}', /^pause: not a field of this route; it takes "paused"$/],
    ['{"paused": true, "queue": "approval"}', /^queue: not a field of this route; it takes "paused"$/],
    ['{"paused": tru', /^body must be a JSON object: \{"paused": true\|false\}$/],
    ['null', /^body must be a JSON object/],
    ['[true]', /^body must be a JSON object/],
    ['true', /^body must be a JSON object/],
  ])('answers 400 naming the field for %s, and changes nothing', async (body, error) => {
    const out = await call('POST /_dev/pollers', body);
    expect(out.status).toBe(400);
    expect(out.body.error).toMatch(error);
    expect(calls).toEqual([]);
  });
});

describe('POST /_dev/drain while the pollers are held', () => {
  it('answers 409 at once, naming the way out, with the depths', async () => {
    paused = true;
    const out = await call('POST /_dev/drain');
    expect(out).toEqual({ status: 409, body: { error: DRAIN_WHILE_PAUSED, queues: { approval: { visible: 1, inFlight: 0, delayed: 0, dlq: 0 } } } });
    expect(out.body.error).toMatch(/pollers are paused.*POST \/_dev\/pollers \{"paused": false\}/);
    expect(calls).toEqual([]); // it did not wait
  });

  it('answers 409 when the pollers are held during the wait, not 504 as if they were slow', async () => {
    drainWaits = true;
    const draining = call('POST /_dev/drain');
    while (!calls.includes('drain')) await new Promise((r) => setTimeout(r, 2));
    await call('POST /_dev/pollers', '{"paused": true}');
    expect((await draining).status).toBe(409);
  });

  it('checks timeoutMs first, and waits as before once they are let go', async () => {
    paused = true;
    expect((await call('POST /_dev/drain', '', '?timeoutMs=abc')).status).toBe(400);
    await call('POST /_dev/pollers', '{"paused": false}');
    expect(await call('POST /_dev/drain')).toMatchObject({ status: 200, body: { drained: true } });
  });
});

describe("the runtime's drain (local/watch.ts)", () => {
  it('gives up while the pollers are held, at once or as soon as they are, and drains as before otherwise', async () => {
    const queued = { approval: { visible: 1, inFlight: 0, delayed: 0, dlq: 0 } };
    let held = true;
    const drain = drainer(() => queued, () => 0, () => held);
    // 10 minutes: resolving at all within the test's own timeout shows it did not wait them out.
    expect(await drain(600_000)).toBe(false);
    held = false;
    const waiting = drain(600_000);
    setTimeout(() => (held = true), 50);
    expect(await waiting).toBe(false);
    held = false;
    queued.approval.visible = 0;
    expect(await drain(600_000)).toBe(true);
  });
});
