/**
 * What the 缺数清单 reads (shared/report/gap-sources.ts) against DynamoDB Local: a material provided by hand
 * is owned through the licence type the item version of the decision on the merits names, not the one the
 * current decision's item version names.
 *
 * The case: an enterprise with no e-licence uploads its business licence on an instant item (version 2,
 * whose BL is waived by a 营业执照 e-licence, owned by SJJ), so the machine could not verify it and sent the
 * application to a person. Its later version names version 3 of the item, where BL is waived by another
 * licence type (owned by SCJ). The gap was found under version 2: it is SJJ's.
 */
import { decisionAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import type { Cause, Decision } from '#approval/domain/decision';
import { onReview } from '#approval/domain/reviewed';
import type { Application, ServiceItem } from '#approval/domain/types';
import { messagesOf, versionReceipt } from '#approval/messages';
import { useTestDynamo } from '#support/dynamo';
import { calendar, inputFor, posterApp, posterItem } from '../unit/approval/fixtures';

useTestDynamo();
let approval: typeof import('#approval/store');
let registry: typeof import('#registry/store');
let sources: typeof import('#report/gap-sources');
beforeAll(async () => {
  approval = await import('#approval/store');
  registry = await import('#registry/store');
  sources = await import('#report/gap-sources');
});

const NOVEMBER = { from: '2026-11-01', to: '2026-11-30' };
const owners = { licences: { 营业执照: 'SJJ', 电子营业执照: 'SCJ' } };
const cause = (id: string, type: string): Cause => ({ source: '/systems/window-acceptance', id, type });

/** Version 3 of the item: BL is now waived by another licence type. */
const posterV3: ServiceItem = {
  ...posterItem,
  version: 3,
  materials: posterItem.materials.map((m) => (m.code === 'BL' ? { ...m, licenceType: '电子营业执照' } : m)),
};

async function firstDecision(application: Application, decision: Decision): Promise<void> {
  const c = cause(`e-${application.applicationId}`, 'gov.application.submitted');
  const record = { application, decision, cause: c, receivedAt: decision.updatedAt, audit: decisionAudit(decision, c, `decided:${decision.outcome}`, decision.updatedAt), receipt: versionReceipt(decision, c) };
  expect(await approval.approvalStore.createFirstDecision(record)).toBe('stored');
}

describe('the ledger’s sources', () => {
  it('own a material by hand through the item version the decision on the merits was made under', async () => {
    expect(posterItem.version).toBe(2);
    type Published = Parameters<typeof registry.registryStore.createItemVersion>[0];
    for (const item of [posterItem, posterV3]) expect(await registry.registryStore.createItemVersion(item as Published, `h${item.version}`, `src#${item.version}`)).toBeUndefined();

    const application = posterApp({
      applicationId: 'GS-MERIT-1',
      materials: [
        { code: 'BL', provided: true },
        { code: 'APPLY', provided: true },
        { code: 'SAMPLE', provided: true },
      ],
    });
    const manual = decide(inputFor(application, posterItem, { licences: [] }));
    expect(manual).toMatchObject({ itemVersion: 2, outcome: 'MANUAL_REVIEW', materialsUnverifiable: [expect.objectContaining({ code: 'BL' })] });
    await firstDecision(application, manual);

    // The person's decision stored as naming version 3: the ledger still reads version 2, which found the gap.
    const at = '2026-11-20T03:00:00.000Z';
    const t = onReview(manual, { outcome: 'APPROVED', reasons: ['核验纸质营业执照'], staffId: 'CGJ-007', at }, { item: posterV3, now: at, calendar });
    if (!t.ok) throw new Error(t.refusal.message);
    const reviewed = { ...t.decision, itemVersion: 3 };
    const c = cause('r-GS-MERIT-1', 'gov.application.reviewed');
    const next = { previous: manual, decision: reviewed, cause: c, causeKind: 'reviewed' as const, outbox: messagesOf(reviewed, 'reviewed').outbox, audit: decisionAudit(reviewed, c, 'reviewed:APPROVED', at), receipt: versionReceipt(reviewed, c) };
    expect(await approval.approvalStore.storeTransition(next)).toBe('stored');
    expect((await approval.queryDecisions(posterItem.itemCode)).find((d) => d.applicationId === 'GS-MERIT-1')).toMatchObject({ itemVersion: 3, outcome: 'APPROVED' });

    const input = await sources.readGapInput(NOVEMBER, 'Asia/Shanghai', owners);
    const gap = input.applications.find((a) => a.applicationId === 'GS-MERIT-1');
    expect(gap?.materialsByHand).toEqual([{ code: 'BL', name: '营业执照', licenceType: '营业执照' }]);
    expect(gap?.materialsBlocked).toBe(true);
    const { buildGapLedger } = await import('#report/domain/gaps');
    expect(buildGapLedger(input).rows.filter((r) => r.kind === 'material').map((r) => [r.key, r.owner, r.applications])).toEqual([['BL', 'SJJ', 1]]);
  }, 60_000);
});
