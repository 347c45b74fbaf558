/**
 * The JSON bodies of `POST /_dev/clock` and `POST /_dev/faults/dynamo` (local/dev-routes.ts): a body that is
 * `null`, not an object, of the wrong type or with a field the route does not take answers 400 naming it,
 * and changes nothing (before, `null` threw inside the route: a 500; an unknown field was ignored).
 */
import { devRoutes, objectBody, type DevContext } from '#local/dev-routes';
import { clockOffset, setClockOffset } from '#platform/clock';

const calls: string[] = [];
const routes = devRoutes({
  supervisor: {
    down: false,
    stopForFault: async () => void calls.push('stop'),
    ensureUp: async () => void calls.push('up'),
  },
  dataDir: '/tmp/unused',
  log: () => undefined,
} as unknown as DevContext);

async function call(key: string, body: string): Promise<{ status: number; body: any }> {
  return (await routes[key]!({} as never, Buffer.from(body), new URL(`http://local${key.split(' ')[1]}`))) as { status: number; body: any };
}

beforeEach(() => {
  calls.splice(0);
  setClockOffset(0);
});
afterAll(() => setClockOffset(0));

describe('POST /_dev/clock', () => {
  it.each([
    ['null', /^body must be a JSON object: \{"set": ISO time\}/],
    ['[]', /^body must be a JSON object/],
    ['"7d"', /^body must be a JSON object/],
    ['{"advance": "7d", "by": 1}', /^by: not a field of this route; it takes "set", "advance", "reset"$/],
    ['{"adv": "7d"}', /^adv: not a field of this route/],
    ['{"reset": "yes"}', /^reset: give true/],
    ['{"set": 5}', /^set: 5 is not an RFC 3339 time$/],
    ['{"set": "tomorrow"}', /^set: "tomorrow" is not an RFC 3339 time$/],
    ['{"advance": {"days": 7}}', /^advance: give a duration/],
    ['{"advance": "soon"}', /^advance: "soon" is not a duration/],
    ['{}', /^give one of "set", "advance" or "reset"$/],
  ])('answers 400 for %s and leaves the clock alone', async (body, error) => {
    setClockOffset(1234);
    const out = await call('POST /_dev/clock', body);
    expect(out.status).toBe(400);
    expect(out.body.error).toMatch(error);
    expect(clockOffset()).toBe(1234);
  });

  it('still sets, advances and resets', async () => {
    expect((await call('POST /_dev/clock', '{"advance": "1d"}')).body.offsetMs).toBe(86_400_000);
    expect((await call('POST /_dev/clock', '{"advance": 1000}')).body.offsetMs).toBe(86_401_000);
    expect((await call('POST /_dev/clock', '{"reset": true}')).body.offsetMs).toBe(0);
    const out = await call('POST /_dev/clock', '{"set": "2030-01-01T00:00:00Z"}');
    expect(out.body.now).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('POST /_dev/faults/dynamo', () => {
  it.each([
    ['null', /^body must be a JSON object: \{"down": true\|false\}$/],
    ['[true]', /^body must be a JSON object/],
    ['{"down": true, "for": "10s"}', /^for: not a field of this route; it takes "down"$/],
    ['{"down": "yes"}', /^down: give true or false$/],
    ['{}', /^down: give true or false$/],
  ])('answers 400 for %s and touches nothing', async (body, error) => {
    const out = await call('POST /_dev/faults/dynamo', body);
    expect(out.status).toBe(400);
    expect(out.body.error).toMatch(error);
    expect(calls).toEqual([]);
  });

  it('still stops and restarts', async () => {
    expect((await call('POST /_dev/faults/dynamo', '{"down": true}')).status).toBe(200);
    expect((await call('POST /_dev/faults/dynamo', '{"down": false}')).status).toBe(200);
    expect(calls).toEqual(['stop', 'up']);
  });
});

describe('objectBody', () => {
  it('reads an empty body as {}', () => {
    expect(objectBody(Buffer.from(''), ['a'], 'x')).toEqual({});
  });
});
