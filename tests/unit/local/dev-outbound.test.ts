/**
 * `GET /_dev/outbound` (local/dev-routes.ts) on a stand-in sink: the `type` and `subject` filters, and a 400
 * naming the parameter for a bad, empty, repeated or unknown one (a typo such as `?typ=` would otherwise
 * answer every event, unfiltered).
 */
import { devRoutes, type DevContext } from '#local/dev-routes';

const EVENTS = [
  { id: 'e-1', type: 'gov.application.decided', subject: 'A-1' },
  { id: 'e-2', type: 'gov.application.decided', subject: 'A-2' },
  { id: 'e-3', type: 'gov.rectification.extensionRequested', subject: 'A-1' },
];

const route = devRoutes({ outbound: EVENTS.map((event) => ({ receivedAt: '2026-11-09T01:20:00.000Z', event })) } as unknown as DevContext)['GET /_dev/outbound']!;

async function get(query: string): Promise<{ status: number; body: any }> {
  const out = await route({} as never, Buffer.alloc(0), new URL(`http://local/_dev/outbound?${query}`));
  return out as { status: number; body: any };
}

const ids = async (query: string) => {
  const out = await get(query);
  expect(out.status).toBe(200);
  expect(out.body.count).toBe(out.body.events.length);
  return out.body.events.map((e: { id: string }) => e.id);
};

describe('GET /_dev/outbound', () => {
  it('lists every event without a filter, and those of the type and subject named', async () => {
    expect(await ids('')).toEqual(['e-1', 'e-2', 'e-3']);
    expect(await ids('type=gov.application.decided')).toEqual(['e-1', 'e-2']);
    expect(await ids('type=gov.rectification.extensionRequested')).toEqual(['e-3']);
    expect(await ids('subject=A-1')).toEqual(['e-1', 'e-3']);
    expect(await ids('type=gov.application.decided&subject=A-2')).toEqual(['e-2']);
    expect(await ids('type=gov.application.revoked')).toEqual([]);
  });

  it('answers 400 naming the parameter for a bad, empty or repeated value', async () => {
    const error = async (query: string) => {
      const out = await get(query);
      expect(out.status).toBe(400);
      return String(out.body.error);
    };
    expect(await error('type=')).toMatch(/^type: /);
    expect(await error('type=decided')).toMatch(/^type: "decided" is not an outbound event type/);
    expect(await error('type=gov.application.decided&type=gov.case.completed')).toMatch(/^type: /);
    expect(await error('subject=')).toMatch(/^subject: /);
    expect(await error('subject=A-1&subject=A-2')).toMatch(/^subject: /);
  });

  it('answers 400 naming an unknown parameter rather than ignoring it', async () => {
    const out = await get('typ=gov.application.decided');
    expect(out).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^typ: .*type=, subject=/) } });
  });
});
