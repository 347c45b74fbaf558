/**
 * `POST /_dev/drain` (local/dev-routes.ts): its `timeoutMs` is checked, and a bad one answers 400 naming it
 * (`abc` used to wait NaN ms, i.e. not at all, and answer 504 as if the queues never emptied).
 */
import { devRoutes, DRAIN_MAX_MS, type DevContext } from '#local/dev-routes';

const waited: number[] = [];
const route = devRoutes({
  drain: async (ms: number) => {
    waited.push(ms);
    return true;
  },
  queueDepths: () => ({}),
  pollers: { paused: () => false },
} as unknown as DevContext)['POST /_dev/drain']!;

async function post(query: string): Promise<{ status: number; body: any }> {
  return (await route({} as never, Buffer.alloc(0), new URL(`http://local/_dev/drain?${query}`))) as { status: number; body: any };
}

beforeEach(() => waited.splice(0));

describe('POST /_dev/drain', () => {
  it('waits 60 s without a timeoutMs, and the time given otherwise', async () => {
    expect(await post('')).toMatchObject({ status: 200, body: { drained: true } });
    expect(await post('timeoutMs=120000')).toMatchObject({ status: 200 });
    expect(await post(`timeoutMs=${DRAIN_MAX_MS}`)).toMatchObject({ status: 200 });
    expect(waited).toEqual([60_000, 120_000, DRAIN_MAX_MS]);
  });

  it.each([
    ['timeoutMs=abc', /^timeoutMs: "abc" is not a whole number of milliseconds/],
    ['timeoutMs=', /^timeoutMs: "" is not a whole number/],
    ['timeoutMs=0', /^timeoutMs: "0"/],
    ['timeoutMs=1.5', /^timeoutMs: "1.5"/],
    [`timeoutMs=${DRAIN_MAX_MS + 1}`, /^timeoutMs: /],
    ['timeoutMs=1000&timeoutMs=2000', /^timeoutMs: give it once/],
    ['timeout=1000', /^timeout: not a parameter of this route; it takes timeoutMs=/],
  ])('answers 400 naming the parameter for %s, and waits for nothing', async (query, error) => {
    const out = await post(query);
    expect(out.status).toBe(400);
    expect(out.body.error).toMatch(error);
    expect(waited).toEqual([]);
  });
});
