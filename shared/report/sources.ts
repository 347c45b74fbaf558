/**
 * What the monthly report is built from, read from the other capabilities through their public modules:
 * every current decision with its overdue flag, every policy with its figures, the month's review counters,
 * the month's 办不成事 and upward-sync figures through the readers their query routes call, and what its
 * data-gap ledger is built from (as GET /gaps reads it), and every bundle application's current version (as
 * GET /approval/bundle-figures reads them).
 */
import { bundleReader, currentDecisionsWithOverdueFlags } from '#approval';
import { figuresFromCounters as policyFigures, listAllPolicies, readFigures } from '#entitlement';
import { readHardCaseFigures } from '#hardcase';
import { daysOfMonth } from '#calendar';
import { stageCalendar } from '#platform/calendar';
import { config } from '#platform/stage-config';
import { dynamoSyncStore, listCounters, upwardFigures } from '#review';
import { readGapInput } from './gap-sources';
import { type PolicyInput, type ReportInput } from './domain/build';
import type { ReportScope } from './ports';

/** Every policy ever published (withdrawn ones too), with its figures as the policy route serves them. */
async function readPolicies(): Promise<PolicyInput[]> {
  const policies = await listAllPolicies();
  return Promise.all(
    policies.map(async (policy) => {
      const stored = await readFigures(policy.policyId);
      const figures = policyFigures(
        policy.policyId,
        stored.counters,
        { amountReserved: stored.amountReserved, amountDisbursed: stored.amountDisbursed, amountRecovered: stored.amountRecovered, firstPushAt: stored.firstPushAt, lastPushAt: stored.lastPushAt },
        policy.publishedAt,
      );
      return { policy, figures: { ...figures, delivered: stored.delivered } };
    }),
  );
}

/** The month's review counters per department, and the district's per day (for the 差评 trend). */
async function readReviews(month: string): Promise<Pick<ReportInput, 'reviewDepartments' | 'reviewDays'>> {
  const [reviewDepartments, reviewDays] = await Promise.all([
    listCounters('department', { granularity: 'month', value: month }),
    Promise.all(
      daysOfMonth(month).map(async (day) => {
        const rows = await listCounters('all', { granularity: 'day', value: day });
        return rows.map((r) => ({ day, counters: r.counters }));
      }),
    ).then((days) => days.flat()),
  ]);
  return { reviewDepartments, reviewDays };
}

/** Everything the report of `scope.month` is built from. */
export async function readReportInput(scope: ReportScope): Promise<ReportInput> {
  const calendar = stageCalendar();
  const days = daysOfMonth(scope.month);
  const [decisions, policies, reviews, hardCases, upwardSync, dataGaps, bundleSummaries] = await Promise.all([
    currentDecisionsWithOverdueFlags(),
    readPolicies(),
    readReviews(scope.month),
    readHardCaseFigures({ granularity: 'month', value: scope.month }, scope.generatedAt, calendar),
    config().upward === undefined ? null : upwardFigures({ store: dynamoSyncStore, calendar }, scope.month, scope.generatedAt),
    readGapInput({ from: days[0]!, to: days.at(-1)! }, scope.timeZone, config().dataOwners ?? {}),
    bundleReader.bundleSummaries(),
  ]);
  const bundles = { summaries: bundleSummaries, calendar };
  return { ...scope, decisions, policies, ...reviews, hardCases, upwardSync, dataGaps, bundles };
}
