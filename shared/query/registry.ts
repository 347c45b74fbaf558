import { hasIdNumberShape, ID_SHAPED_WRONG_CHECK, isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
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
    // Judged as the edge judges it: a value with an ID number's form is an ID number only, so a mistyped one
    // that happens to pass the credit-code check is told its check digit is wrong, not that no record exists.
    const person = hasIdNumberShape(subjectId);
    if (person ? !isValidIdNumber(subjectId) : !isValidCreditCode(subjectId)) {
      const message = 'subjectId must be a valid ID number or unified social credit code (check digit)';
      return problem(400, person ? `${message}: ${ID_SHAPED_WRONG_CHECK}` : message);
    }
    if (person && !entitledToPersonData(principal)) {
      return problem(403, `${principal} is not entitled to person data: a person's credit record is not readable`);
    }
    const record = await getCreditRecord(subjectId);
    if (!record) return problem(404, `no credit record for ${subjectId}: the credit system sent none and the product set no mark`);
    return json(200, creditView(subjectId, person ? 'person' : 'enterprise', record));
  },
};
