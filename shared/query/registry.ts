import { isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { getBundleVersion, getCreditRecord, getCurrentBundle, getCurrentItem, getItemVersion } from '#registry';
import { json, problem } from '#platform/http';
import { creditView } from './credit';
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
   * system, the marks the product set itself with their cause (each revocation's falseCommitment names its
   * application), and what decisions read (the effective record): credit.ts.
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
    return json(200, creditView(subjectId, person ? 'person' : 'enterprise', record));
  },
};
