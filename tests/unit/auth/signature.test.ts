import { HEADER_DATE, HEADER_PRINCIPAL, HEADER_SIGNATURE, signedHeaders, verify } from '#auth/signature';

const NOW = Date.parse('2026-11-03T09:30:00Z');
const DATE = '2026-11-03T09:30:00Z';
const KEYS = { '/systems/window-acceptance': 'k-window' };

function headersAs(principal: string, key = 'anything'): Record<string, string> {
  return { ...signedHeaders(principal, key, 'POST', '/events', '{}', DATE) };
}

describe('verify', () => {
  it('accepts a request signed with the principal\'s key', () => {
    expect(verify(headersAs('/systems/window-acceptance', 'k-window'), KEYS, 'POST', '/events', '{}', NOW)).toEqual({ ok: true, principal: '/systems/window-acceptance' });
  });

  it('refuses a wrong signature', () => {
    expect(verify(headersAs('/systems/window-acceptance', 'k-other'), KEYS, 'POST', '/events', '{}', NOW)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  // The keys are a plain object: a lookup by name would find its members and throw in createHmac (a 500).
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('calls principal %s unknown, not an error', (principal) => {
    const result = verify(headersAs(principal), KEYS, 'POST', '/events', '{}', NOW);
    expect(result).toEqual({ ok: false, reason: `unknown principal ${principal}` });
  });

  it('names the headers that are missing', () => {
    const headers = headersAs('/systems/window-acceptance', 'k-window');
    delete headers[HEADER_DATE];
    delete headers[HEADER_SIGNATURE];
    expect(verify(headers, KEYS, 'POST', '/events', '{}', NOW)).toEqual({ ok: false, reason: `missing ${HEADER_DATE}, ${HEADER_SIGNATURE}` });
    expect(headers[HEADER_PRINCIPAL]).toBe('/systems/window-acceptance');
  });
});

describe('verify: the signing time', () => {
  const at = (date: string, nowMs: number) =>
    verify(signedHeaders('/systems/window-acceptance', 'k-window', 'POST', '/events', '{}', date), KEYS, 'POST', '/events', '{}', nowMs);

  it('reads a leap second (:60) as the end of its minute, and signs the header as written', () => {
    const now = Date.parse('2016-12-31T23:59:59.5Z');
    expect(at('2016-12-31T23:59:60Z', now)).toEqual({ ok: true, principal: '/systems/window-acceptance' });
    expect(at('2017-01-01T07:59:60.25+08:00', now)).toEqual({ ok: true, principal: '/systems/window-acceptance' });
  });

  it('takes lower-case t and z, and refuses a time more than 5 minutes off', () => {
    expect(at('2026-11-03t09:34:00z', NOW)).toEqual({ ok: true, principal: '/systems/window-acceptance' });
    expect(at('2026-11-03T09:36:00Z', NOW)).toEqual({ ok: false, reason: `${HEADER_DATE} is more than 5 minutes from the server's time` });
  });

  it('refuses what is no RFC 3339 time or no real day, naming the header, even within 5 minutes of it', () => {
    for (const date of ['Tue, 03 Nov 2026 09:30:00 GMT', '2026-11-03T09:30:61Z', '2026-11-31T09:30:00Z', '2026-02-29T09:30:00Z', '2026-11-03 09:30:00Z']) {
      expect([date, at(date, NOW)]).toEqual([date, { ok: false, reason: `${HEADER_DATE} must be an RFC 3339 time, e.g. 2026-11-03T09:30:00Z` }]);
    }
    // 31 November would otherwise be read as 1 December, and pass at that time.
    expect(at('2026-11-31T09:30:00Z', Date.parse('2026-12-01T09:30:00Z'))).toEqual({ ok: false, reason: `${HEADER_DATE} must be an RFC 3339 time, e.g. 2026-11-03T09:30:00Z` });
    expect(at('2028-02-29T09:30:00Z', Date.parse('2028-02-29T09:31:00Z'))).toEqual({ ok: true, principal: '/systems/window-acceptance' });
  });
});
