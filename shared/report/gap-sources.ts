/**
 * What the data-gap ledger of a period is read from, through the other capabilities' public modules:
 *
 * - the current decisions (the approvals table's byItem index, as GET /approval/figures reads them), kept
 *   when submitted in the period and possibly holding a gap (./domain/gap-inputs.ts `mayHaveGap`); for
 *   each of those the stored case (one Query of its partition), whose latest version on the merits says
 *   what was unknown or provided by hand; and the item version it was decided on (once per version);
 * - the active policies of the period (a withdrawn one pushes nothing more, so supplying data would
 *   unlock nothing there) and their entitlements now in NEEDS_INFO (a Query of each policy's partition,
 *   filtered on the state).
 *
 * Cost at volume: every current decision's small DECISION body is read (as the figures route does), then
 * one partition per application that went to a person or came back short; docs/contract.md says more.
 */
import { loadCase, queryDecisions } from '#approval';
import { listActivePolicies, listEntitlements, type Entitlement } from '#entitlement';
import { inPool } from '#platform/pool';
import { config } from '#platform/stage-config';
import { getItemVersion } from '#registry';
import { gapApplicationOf, gapEntitlementOf, mayHaveGap, policyInPeriod, submittedIn, type GapPeriod } from './domain/gap-inputs';
import { buildGapLedger, type DataOwners, type GapApplication, type GapEntitlement, type GapInput, type GapLedger, type GapRanking } from './domain/gaps';

/** Cases read at once: enough to hide latency, few enough for DynamoDB Local and a Lambda's sockets. */
const CASE_CONCURRENCY = 16;
const ENTITLEMENT_PAGE = 1000;

async function readApplications(period: GapPeriod, timeZone: string): Promise<GapApplication[]> {
  const decisions = (await queryDecisions()).filter((d) => submittedIn(d, period, timeZone) && mayHaveGap(d));
  const items = new Map<string, ReturnType<typeof getItemVersion>>();
  const itemOf = (code: string, version: number) => {
    const key = `${code}@${version}`;
    if (!items.has(key)) items.set(key, getItemVersion(code, version));
    return items.get(key)!;
  };
  const found = await inPool(decisions, CASE_CONCURRENCY, async (d) => {
    const stored = await loadCase(d.applicationId);
    const item = d.itemVersion === null ? undefined : await itemOf(d.itemCode, d.itemVersion);
    return gapApplicationOf(stored.versions, item?.materials ?? []);
  });
  return found.filter((a): a is GapApplication => a !== undefined);
}

async function readEntitlements(period: GapPeriod, timeZone: string): Promise<GapEntitlement[]> {
  const policies = (await listActivePolicies()).filter((p) => policyInPeriod(p, period, timeZone));
  const perPolicy = await inPool(policies, 4, async (policy) => {
    const needsInfo: Entitlement[] = [];
    let cursor: string | undefined;
    do {
      const page = await listEntitlements(policy.policyId, { state: 'NEEDS_INFO' }, ENTITLEMENT_PAGE, cursor);
      needsInfo.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return needsInfo.map((e) => gapEntitlementOf(e, policy)).filter((e): e is GapEntitlement => e !== undefined);
  });
  return perPolicy.flat();
}

/** Everything the ledger of `period` is built from. */
export async function readGapInput(period: GapPeriod, timeZone: string, owners: DataOwners): Promise<GapInput> {
  const [applications, entitlements] = await Promise.all([readApplications(period, timeZone), readEntitlements(period, timeZone)]);
  return { ...period, applications, entitlements, owners };
}

/** The stage's ledger of a period (what GET /gaps serves and the monthly report keeps). */
export async function readGapLedger(period: GapPeriod, by: GapRanking = 'cases'): Promise<GapLedger> {
  const { timeZone, dataOwners } = config();
  return buildGapLedger(await readGapInput(period, timeZone, dataOwners ?? {}), by);
}
