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
