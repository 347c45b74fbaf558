import { isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { getBundleVersion, getCreditRecord, getCurrentBundle, getCurrentItem, getItemVersion } from '#registry';
import { json, problem } from '#platform/http';
import { entitledToPersonData } from './privacy';
import type { QueryRoutes } from './router';

export const registryRoutes: QueryRoutes = {
  /** A service item: the current version, or `?version=N`. */
  'GET /items/{itemCode}': async ({ params, query }) => {
    const code = params.itemCode ?? '';
    if (query.version !== undefined && !/^\d{1,6}$/.test(query.version)) return problem(400, 'version must be a whole number (at most 6 digits)');
    const item = query.version ? await getItemVersion(code, Number(query.version)) : await getCurrentItem(code);
    return item ? json(200, item) : problem(404, `no service item ${code}${query.version ? ` version ${query.version}` : ''}`);
  },

  /** A 一件事 bundle: the current version, or `?version=N`. */
  'GET /bundles/{bundleCode}': async ({ params, query }) => {
    const code = params.bundleCode ?? '';
    if (query.version !== undefined && !/^\d{1,6}$/.test(query.version)) return problem(400, 'version must be a whole number (at most 6 digits)');
    const bundle = query.version ? await getBundleVersion(code, Number(query.version)) : await getCurrentBundle(code);
    return bundle ? json(200, bundle) : problem(404, `no bundle ${code}${query.version ? ` version ${query.version}` : ''}`);
  },

  /**
   * A subject's credit record as the product holds it: the upstream record from the credit
   * system, the marks the product set itself with their cause (a revocation's falseCommitment names its
   * application), and what decisions read (the effective record).
   */
  'GET /credit/{subjectId}': async ({ params, principal }) => {
    const subjectId = params.subjectId ?? '';
    const person = isValidIdNumber(subjectId);
    if (!person && !isValidCreditCode(subjectId)) {
      return problem(400, 'subjectId must be a valid ID number or unified social credit code (check digit)');
    }
    if (person && !entitledToPersonData(principal)) {
      return problem(403, `${principal} is not entitled to person data: a person's credit record is not readable`);
    }
    const record = await getCreditRecord(subjectId);
    if (!record) return problem(404, `no credit record for ${subjectId}: the credit system sent none and the product set no mark`);
    const mark = record.falseCommitmentMark;
    const commitmentMarks = mark
      ? [
          {
            kind: 'falseCommitment',
            setBy: 'civicflow',
            at: mark.at,
            cause: {
              reason: 'COMMITMENT_UNTRUTHFUL',
              applicationId: mark.applicationId,
              href: `/applications/${encodeURIComponent(mark.applicationId)}`,
            },
          },
        ]
      : [];
    // Money recovered for fraud (追回): recorded and published for the credit system, which decides any
    // exclusion; the mark itself excludes nobody, so the effective record below does not read it.
    const fraudMarks = (record.benefitFraudMarks ?? []).map((m) => ({
      kind: 'benefitFraud',
      setBy: 'civicflow',
      at: m.at,
      cause: { reason: 'BENEFIT_RECOVERED_FOR_FRAUD', policyId: m.policyId, amount: m.amount, href: `/policies/${encodeURIComponent(m.policyId)}` },
    }));
    const marks = [...commitmentMarks, ...fraudMarks];
    const upstream = record.upstream;
    return json(200, {
      subjectId,
      subjectKind: person ? 'person' : 'enterprise',
      upstream: upstream
        ? {
            asOf: upstream.asOf,
            ...(record.upstreamEvent ? { asOfAt: record.upstreamEvent.asOfAt, event: { source: record.upstreamEvent.source, id: record.upstreamEvent.id } } : {}),
            rating: upstream.rating,
            dishonest: upstream.dishonest,
            falseCommitment: upstream.falseCommitment,
          }
        : null,
      marks,
      // What the product's decisions read: the upstream record with its own marks folded in.
      effective: {
        rating: upstream?.rating ?? null,
        dishonest: upstream?.dishonest === true,
        falseCommitment: upstream?.falseCommitment === true || mark !== undefined,
      },
    });
  },
};
