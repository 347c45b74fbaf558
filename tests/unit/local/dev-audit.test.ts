/**
 * `GET /_dev/audit` (local/dev-routes.ts) on a stand-in trail: the subject it needs, the `action` filter
 * (exact, repeated or comma-separated) and `since` (instants at or after it, whatever their offsets), and a
 * 400 naming the parameter for a bad value or an unknown parameter.
 */
import { devRoutes, type DevContext } from '#local/dev-routes';

const TRAIL = [
  { subject: 'hardcase:C-1', action: 'state:none->RECEIVED', at: '2026-11-09T01:20:00.000Z' },
  { subject: 'hardcase:C-1', action: 'state:RECEIVED->CONTACTED', at: '2026-11-09T10:00:00+08:00' },
  { subject: 'hardcase:C-1', action: 'refused:resolve', at: '2026-11-10T03:00:00Z' },
  { subject: 'hardcase:C-1', action: 'refused:close', at: '2026-11-10T03:00:00.001Z' },
];

const asked: string[] = [];
const route = devRoutes({ audit: async (subject: string) => (asked.push(subject), TRAIL.filter((e) => e.subject === subject)) } as unknown as DevContext)['GET /_dev/audit']!;

async function get(query: string): Promise<{ status: number; body: any }> {
  const out = await route({} as never, Buffer.alloc(0), new URL(`http://local/_dev/audit?${query}`));
  return out as { status: number; body: any };
}

const actions = async (query: string) => {
  const out = await get(`subject=hardcase:C-1&${query}`);
  expect(out.status).toBe(200);
  expect(out.body.count).toBe(out.body.entries.length);
  return out.body.entries.map((e: { action: string }) => e.action);
};

describe('GET /_dev/audit', () => {
  it('lists every line of the subject without a filter, and needs the subject', async () => {
    expect(await actions('')).toEqual(TRAIL.map((e) => e.action));
    expect(asked).toContain('hardcase:C-1');
    expect(await get('action=refused:close')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^subject: /) } });
  });

  it('keeps the lines of the actions named, exactly, repeated or comma-separated', async () => {
    expect(await actions('action=refused:close')).toEqual(['refused:close']);
    expect(await actions('action=refused')).toEqual([]);
    expect(await actions(`action=refused:resolve&action=${encodeURIComponent('state:none->RECEIVED')}`)).toEqual(['state:none->RECEIVED', 'refused:resolve']);
    expect(await actions(`action=${encodeURIComponent('refused:resolve, refused:close')}`)).toEqual(['refused:resolve', 'refused:close']);
  });

  it('keeps the lines at or after `since`, compared as instants whatever the offset they are written in', async () => {
    // 10:00+08:00 is 02:00Z: after 01:20Z although "2026-11-09T10…" and "2026-11-09T01…" sort otherwise as text.
    expect(await actions(`since=${encodeURIComponent('2026-11-09T02:00:00Z')}`)).toEqual(['state:RECEIVED->CONTACTED', 'refused:resolve', 'refused:close']);
    expect(await actions(`since=${encodeURIComponent('2026-11-10T11:00:00+08:00')}`)).toEqual(['refused:resolve', 'refused:close']);
    expect(await actions('since=2026-11-10T03:00:00.0005Z')).toEqual(['refused:close']);
    expect(await actions(`since=${encodeURIComponent('2026-11-10T03:00:00Z')}&action=refused:close`)).toEqual(['refused:close']);
  });

  it('answers 400 naming the parameter for a bad value', async () => {
    const error = async (query: string) => {
      const out = await get(`subject=hardcase:C-1&${query}`);
      expect(out.status).toBe(400);
      return String(out.body.error);
    };
    expect(await error('action=')).toMatch(/^action: /);
    expect(await error('action=refused:close,')).toMatch(/^action: /);
    expect(await error('action=refused:close&action=')).toMatch(/^action: /);
    expect(await error('since=yesterday')).toMatch(/^since: "yesterday" must be an RFC 3339 timestamp/);
    expect(await error('since=2026-11-10')).toMatch(/^since: /);
    // Without an offset the instant is not known.
    expect(await error('since=2026-11-10T03:00:00')).toMatch(/^since: /);
    expect(await error('since=2026-11-31T03:00:00Z')).toMatch(/^since: /);
    // "+" unencoded reads as a space: the error says so.
    expect(await error('since=2026-11-10T11:00:00+08:00')).toMatch(/^since: .*%2B/);
    expect(await error('since=2026-11-10T03:00:00Z&since=2026-11-11T03:00:00Z')).toMatch(/^since: /);
  });

  it('answers 400 naming an unknown parameter, so a typo does not list the lines unfiltered', async () => {
    const out = await get('subject=hardcase:C-1&actoin=refused:close');
    expect(out).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^actoin: .*action=/) } });
    // A misspelt subject is named as such, not as a missing subject.
    expect(await get('subjet=hardcase:C-1')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^subjet: /) } });
  });
});
