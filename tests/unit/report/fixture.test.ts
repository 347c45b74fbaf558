/**
 * The sample report tests/fixtures/monthly-report-2026-11.json (what CI draws the page from, and the README's
 * picture) is a complete report of the current version: every field a report built now has — each policy row's,
 * each department's, each section's, every label — is in it. A report field added without regenerating the
 * sample fails here. Regenerate it with
 * `REPORT_JSON_OUT=tests/fixtures/monthly-report-2026-11.json npm run test:jest -- tests/integration/report.test.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyCounters as emptyReviewCounters } from '#review';
import { buildMonthlyReport, REPORT_VERSION, type MonthlyReport } from '#report/domain/build';
import { calendar, policyInput, reportInput, reportPolicy } from './fixtures';

const POLICY = reportPolicy({ policyId: 'P-FIXTURE', name: '样例政策', departmentCode: 'D-F', kind: 'confirm' });

/** A report built now, with every section the current version has. */
const built = buildMonthlyReport(
  reportInput({
    dataGaps: { from: '2026-11-01', to: '2026-11-30', applications: [], entitlements: [], owners: {} },
    bundles: { summaries: [], calendar },
    policies: [policyInput(POLICY, { eligible: 1 })],
    reviewDepartments: [{ key: 'D-F', counters: emptyReviewCounters() }],
  }),
);
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/monthly-report-2026-11.json'), 'utf8')) as MonthlyReport;

/** Every path in a value, an array's elements under `[]` (`policies[].lapsed`, `total.approval.latencyMs.mean`). */
function paths(value: unknown, at = '', out = new Set<string>()): Set<string> {
  if (at !== '') out.add(at);
  if (Array.isArray(value)) for (const v of value) paths(v, `${at}[]`, out);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, at === '' ? k : `${at}.${k}`, out);
  return out;
}

describe('the sample monthly report', () => {
  it('is of the current version', () => {
    expect(fixture.version).toBe(REPORT_VERSION);
  });

  it('has every field of a report built now: policy rows, departments, sections and labels', () => {
    const has = paths(fixture);
    const missing = [...paths(built)].filter((p) => !has.has(p));
    expect(missing).toEqual([]);
  });

  it('has a policy row, and its departments\' rows, with every field', () => {
    const fields = Object.keys(built.policies[0]!);
    expect(fixture.policies.length).toBeGreaterThan(0);
    for (const row of fixture.policies) expect(fields.filter((f) => !(f in row))).toEqual([]);
    const sectionFields = Object.keys(built.total.entitlement);
    for (const d of [...fixture.departments, fixture.total]) expect([d.departmentCode, sectionFields.filter((f) => !(f in d.entitlement))]).toEqual([d.departmentCode, []]);
  });
});
