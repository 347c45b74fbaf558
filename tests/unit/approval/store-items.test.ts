import { gunzipSync } from 'node:zlib';
import { decide } from '#approval/decide';
import { approvalFigures } from '#approval/figures';
import { currentOf, decodeBody, encodeBody } from '#approval/store';
import { auditOf } from '#approval/adapters';
import { criminalApp, criminalRecordItem, inputFor, posterApp, posterItem, weatherApp, weatherItem } from './fixtures';

// The store keeps the full decision once (V#, compressed when large) and a small DECISION summary that the
// figures route and the monthly report read: these are the pure parts of that layout.
describe('approval store items', () => {
  const decisions = [
    decide(inputFor(weatherApp(), weatherItem)),
    decide(inputFor(posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] }), posterItem)),
    decide(inputFor(criminalApp(), criminalRecordItem)),
  ];

  it.each(decisions.map((d) => [d.outcome, d] as const))('round-trips a %s decision through the body encoding', (_o, d) => {
    expect(decodeBody(encodeBody(d) as Record<string, unknown>)).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it('compresses a large body and leaves a small one as JSON text', () => {
    const large = encodeBody(decisions[0]);
    expect('bodyGz' in large).toBe(true);
    const gz = (large as { bodyGz: Uint8Array }).bodyGz;
    expect(gz.byteLength).toBeLessThan(Buffer.byteLength(JSON.stringify(decisions[0])));
    expect(JSON.parse(gunzipSync(gz).toString('utf8')).applicationId).toBe(decisions[0]!.applicationId);
    expect(encodeBody({ a: 1 })).toEqual({ body: '{"a":1}' });
  });

  it('keeps in the current-state summary everything the figures read, and no trace', () => {
    const summaries = decisions.map(currentOf);
    expect(approvalFigures(summaries)).toEqual(approvalFigures(decisions));
    for (const s of summaries) expect(s).not.toHaveProperty('trace');
    const pending = summaries[1]!;
    expect(pending.supplementDue).toEqual(decisions[1]!.supplementDue);
    expect(Buffer.byteLength(JSON.stringify(summaries[0]))).toBeLessThan(1024);
  });

  it('writes an audit line with reason codes and a pointer to the version, not the decision', () => {
    const d = decisions[1]!;
    const entry = auditOf(d, { source: '/gov/one', id: 'e-1', type: 'gov.application.submitted' }, 'decided', d.updatedAt);
    expect(entry.details).toMatchObject({ reasonCodes: d.reasons.map((r) => r.code), version: `APP#${d.applicationId}/V#000001` });
    expect(JSON.stringify(entry)).not.toContain('"trace"');
    expect(JSON.stringify(entry)).not.toContain(d.reasons[0]!.message);
  });
});
