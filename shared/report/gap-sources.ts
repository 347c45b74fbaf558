/**
 * What the data-gap ledger of a period is read from, through the other capabilities' public modules:
 *
 * - the current decisions (the approvals table's byItem index, as GET /approval/figures reads them), kept
 *   when submitted in the period and possibly holding a gap (./domain/gap-inputs.ts `mayHaveGap`); for
 *   each of those the stored case (one Query of its partition), whose latest version on the merits says
 *   what was unknown or provided by hand; and the item version it was decided on (once per version);
 * - the 一件事 bundle applications submitted in the period (their index of current versions), each read
 *   whole: every child is a decision on its merits as a single item's is;
 * - the active policies of the period (a withdrawn one pushes nothing more, so supplying data would
 *   unlock nothing there) and their entitlements now in NEEDS_INFO (a Query of each policy's partition,
 *   filtered on the state).
 *
 * Cost at volume: every current decision's small DECISION body is read (as the figures route does), then
 * one partition per application that went to a person or came back short; docs/contract.md says more.
 */
import { bundleReader, bundleStore, loadCase, queryDecisions } from '#approval';
import { listActivePolicies, listEntitlements, type Entitlement } from '#entitlement';
import { inPool } from '#platform/pool';
import { config } from '#platform/stage-config';
import { getItemVersion } from '#registry';
import { bundleChildVersions, gapApplicationOf, gapEntitlementOf, mayHaveGap, policyInPeriod, submittedIn, type GapPeriod } from './domain/gap-inputs';
import { buildGapLedger, type DataOwners, type GapApplication, type GapEntitlement, type GapInput, type GapLedger, type GapRanking } from './domain/gaps';

/** Cases read at once: enough to hide latency, few enough for DynamoDB Local and a Lambda's sockets. */
const CASE_CONCURRENCY = 16;
const ENTITLEMENT_PAGE = 1000;

async function readApplications(period: GapPeriod, timeZone: string): Promise<GapApplication[]> {
  const [decisions, bundles] = await Promise.all([queryDecisions(), bundleReader.bundleSummaries(undefined)]);
  const items = new Map<string, ReturnType<typeof getItemVersion>>();
  const materialsOf = async (d: { readonly itemCode: string; readonly itemVersion: number | null }) =>
    d.itemVersion === null ? [] : ((await itemOf(d.itemCode, d.itemVersion))?.materials ?? []);
  const itemOf = (code: string, version: number) => {
    const key = `${code}@${version}`;
    if (!items.has(key)) items.set(key, getItemVersion(code, version));
    return items.get(key)!;
  };
  const found = await inPool(
    decisions.filter((d) => submittedIn(d, period, timeZone) && mayHaveGap(d)),
    CASE_CONCURRENCY,
    async (d) => gapApplicationOf((await loadCase(d.applicationId)).versions, await materialsOf(d)),
  );
  // A 一件事 bundle's children are decided as single items are, each under its own application id.
  const children = await inPool(
    bundles.filter((b) => submittedIn(b, period, timeZone)),
    CASE_CONCURRENCY,
    async (b) => {
      const stored = await bundleStore.loadBundle(b.applicationId);
      return Promise.all(bundleChildVersions(stored.versions).map(async (c) => gapApplicationOf(c.versions, await materialsOf(c.decision))));
    },
  );
  return [...found, ...children.flat()].filter((a): a is GapApplication => a !== undefined);
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
