/**
 * The pure part of the credit record route (GET /credit/{subjectId}): the record as the product holds it,
 * from what the registry stored. The route checks the subject id and who may read it; nothing here reads
 * a table or a setting.
 *
 * `marks` lists the marks the product set itself, each with its cause: every false-commitment mark, one per
 * revoked application (oldest first), then every benefit-fraud mark, one per policy (oldest first).
 * `effective` is what decisions read: any one false-commitment mark makes the subject a false committer. It is
 * the registry's fold (foldCredit, the one every decision and match reads), not a reading of its own here.
 */
import { foldCredit, type CreditRecordView } from '#registry';

export function creditView(subjectId: string, subjectKind: 'person' | 'enterprise', record: CreditRecordView) {
  const commitments = record.falseCommitmentMarks ?? [];
  const commitmentMarks = commitments.map((m) => ({
    kind: 'falseCommitment',
    setBy: 'civicflow',
    at: m.at,
    cause: { reason: 'COMMITMENT_UNTRUTHFUL', applicationId: m.applicationId, href: `/applications/${encodeURIComponent(m.applicationId)}` },
  }));
  // Money recovered for fraud (追回): recorded and published for the credit system, which decides any
  // exclusion; the mark itself excludes nobody, so the effective record below does not read it.
  const fraudMarks = (record.benefitFraudMarks ?? []).map((m) => ({
    kind: 'benefitFraud',
    setBy: 'civicflow',
    at: m.at,
    cause: { reason: 'BENEFIT_RECOVERED_FOR_FRAUD', policyId: m.policyId, amount: m.amount, href: `/policies/${encodeURIComponent(m.policyId)}` },
  }));
  const upstream = record.upstream;
  const folded = foldCredit(subjectId, upstream, commitments);
  return {
    subjectId,
    subjectKind,
    upstream: upstream
      ? {
          asOf: upstream.asOf,
          ...(record.upstreamEvent ? { asOfAt: record.upstreamEvent.asOfAt, event: { source: record.upstreamEvent.source, id: record.upstreamEvent.id } } : {}),
          rating: upstream.rating,
          dishonest: upstream.dishonest,
          falseCommitment: upstream.falseCommitment,
        }
      : null,
    marks: [...commitmentMarks, ...fraudMarks],
    // What the product's decisions read: the upstream record with its own marks folded in, by the registry's fold.
    effective: {
      rating: folded.rating ?? null,
      dishonest: folded.dishonest === true,
      falseCommitment: folded.falseCommitment === true,
    },
  };
}
