import { gunzipSync } from 'node:zlib';
import { decisionAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import { approvalFigures } from '#approval/domain/figures';
import { currentOf, decodeBody, encodeBody } from '#approval/store/items';
import { criminalApp, criminalRecordItem, inputFor, posterApp, posterItem, weatherApp, weatherItem } from './fixtures';

// The store keeps the full decision once (V#, compressed when large) and a small DECISION summary that the
// figures route and the monthly report read: these are the pure parts of that layout (the rest is checked
// against DynamoDB Local in tests/adapter/approval-store.test.ts).
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
});

describe('audit lines', () => {
  it('a decision\'s line has its reason codes, keyed by its cause, and neither the trace nor the messages', () => {
    const d = decide(inputFor(posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] }), posterItem));
    const entry = decisionAudit(d, { source: '/gov/one', id: 'e-1', type: 'gov.application.submitted' }, 'decided', d.updatedAt);
    expect(entry).toMatchObject({ subject: 'application:P-3', actor: '/gov/one', causeId: '/gov/one#e-1', why: 'MATERIALS_PENDING' });
    expect(entry.details).toMatchObject({ reasonCodes: d.reasons.map((r) => r.code), sequence: 1, outcome: d.outcome });
    expect(JSON.stringify(entry)).not.toContain('"trace"');
    expect(JSON.stringify(entry)).not.toContain(d.reasons[0]!.message);
  });
});
