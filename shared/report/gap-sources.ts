/**
 * What the data-gap ledger of a period is read from, through the other capabilities' public modules:
 *
 * - the current decisions (the approvals table's byItem index, as GET /approval/figures reads them), kept
 *   when submitted in the period and possibly holding a gap (./domain/gap-inputs.ts `mayHaveGap`); for
 *   each of those the stored case (one Query of its partition), whose latest version on the merits says
 *   what was unknown or provided by hand; and, when a material was provided by hand, the item version that
 *   decision on the merits was made under (once per version);
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
import { bundleChildVersions, gapApplicationOf, gapEntitlementOf, mayHaveGap, meritDecisionOf, policyInPeriod, submittedIn, type GapPeriod } from './domain/gap-inputs';
import { buildGapLedger, type DataOwners, type GapApplication, type GapEntitlement, type GapInput, type GapLedger, type GapRanking } from './domain/gaps';

/** Cases read at once: enough to hide latency, few enough for DynamoDB Local and a Lambda's sockets. */
const CASE_CONCURRENCY = 16;
const ENTITLEMENT_PAGE = 1000;

async function readApplications(period: GapPeriod, timeZone: string): Promise<GapApplication[]> {
  const [decisions, bundles] = await Promise.all([queryDecisions(), bundleReader.bundleSummaries(undefined)]);
  const items = new Map<string, ReturnType<typeof getItemVersion>>();
  const itemOf = (code: string, version: number) => {
    const key = `${code}@${version}`;
    if (!items.has(key)) items.set(key, getItemVersion(code, version));
    return items.get(key)!;
  };
  // The licence type that would have waived a material is the one named by the item version the decision
  // on the merits was made under (it stores it), not by the current decision's, which a later version may
  // have changed. Only a material provided by hand needs it: a case with none reads no item.
  const gapOf = async (versions: Parameters<typeof gapApplicationOf>[0]) => {
    const merit = meritDecisionOf(versions);
    if (merit === undefined) return undefined;
    const version = merit.materialsUnverifiable.length === 0 ? null : merit.itemVersion;
    const materials = version === null ? [] : ((await itemOf(merit.itemCode, version))?.materials ?? []);
    return gapApplicationOf(versions, materials);
  };
  const found = await inPool(
    decisions.filter((d) => submittedIn(d, period, timeZone) && mayHaveGap(d)),
    CASE_CONCURRENCY,
    async (d) => gapOf((await loadCase(d.applicationId)).versions),
  );
  // A 一件事 bundle's children are decided as single items are, each under its own application id.
  const children = await inPool(
    bundles.filter((b) => submittedIn(b, period, timeZone)),
    CASE_CONCURRENCY,
    async (b) => {
      const stored = await bundleStore.loadBundle(b.applicationId);
      return Promise.all(bundleChildVersions(stored.versions).map((c) => gapOf(c.versions)));
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
