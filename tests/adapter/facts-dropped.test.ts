/**
 * A first decision whose facts are too large to keep with it, through the approval use case and the
 * DynamoDB store: the version item records that its facts were dropped for their size (`factsDropped`), a
 * simulation's bulk read hands that on (so the result can say why it could not replay it), and the warning
 * and the `DecisionFactsDropped` metric come once, after the write, however often SQS delivers the event
 * (alone or in the consumer's group commit). A decision whose facts fit carries no flag.
 */
import { makeCreditCode } from '#contract/identifiers';
import { LIMITS } from '#contract/limits';
import { createApprovalService } from '#approval/service';
import type { Cause } from '#approval/domain/decision';
import type { Licence, ServiceItem } from '#approval/domain/types';
import { memoryApproval } from '#support/memory/approval';
import { fullObject } from '#support/noise';
import { useTestDynamo } from '#support/dynamo';
import { calendar, NOW, SUBMITTED } from '../unit/approval/fixtures';

const db = useTestDynamo();
let store: typeof import('#approval/store');
let replayable: typeof import('#approval/store/replayable');
let keys: typeof import('#approval/store/keys');
beforeAll(async () => {
  store = await import('#approval/store');
  replayable = await import('#approval/store/replayable');
  keys = await import('#approval/store/keys');
});

const ENTERPRISE = { kind: 'enterprise', id: makeCreditCode('91440101MA5CY7788'), name: '广州市某某数据有限公司' } as const;
const SMALL = { kind: 'enterprise', id: makeCreditCode('91440101MA5CY7799'), name: '广州市某某小型有限公司' } as const;

const item: ServiceItem = {
  itemCode: 'FACTS-BIG-1',
  name: '大事实事项',
  departmentCode: 'CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays: 3,
  legalDays: 20,
  materials: [],
  rules: { all: [{ id: 'F-1', description: '经营状态为存续', fact: 'licence.营业执照.status', op: 'eq', value: '存续' }] },
  certificateType: '许可',
  version: 1,
  active: true,
};

/** As many e-licences at their byte limit as make the facts, packed, larger than the store keeps. */
const licence = (holderId: string, i: number): Licence => ({
  licenceNo: `L-FD-${holderId.slice(-4)}-${i}`,
  licenceType: '营业执照',
  holderId,
  issuer: '广州市天河区市场监督管理局',
  issuedAt: '2019-06-01T00:00:00+08:00',
  validUntil: '2039-05-31',
  trustLevel: 'A',
  attributes: fullObject('scope', LIMITS.attributesBytes, 300 + i, { status: '存续' }),
});

const application = (applicationId: string, applicant: typeof ENTERPRISE | typeof SMALL = ENTERPRISE) => ({
  applicationId,
  itemCode: item.itemCode,
  applicant,
  form: { note: '大量电子证照' },
  materials: [],
  channel: '移动端',
  submittedAt: SUBMITTED,
});
const cause = (id: string): Cause => ({ source: '/systems/window-acceptance', id, type: 'gov.application.submitted' });
const WINDOW = { from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' };

function world() {
  const w = memoryApproval({ now: NOW, calendar });
  w.registry.putItem(item);
  w.registry.licences = [...Array.from({ length: 40 }, (_, i) => licence(ENTERPRISE.id, i)), licence(SMALL.id, 0)];
  return { ...w, approval: createApprovalService({ ...w.ports, store: store.approvalStore }) };
}

const version1 = (applicationId: string) => db().get('approvals', { pk: `APP#${applicationId}`, sk: 'V#000001' });
async function replayed(applicationId: string) {
  const shard = Number(keys.decisionIndexKeys(applicationId, item.itemCode).itemShard.slice('DECISION#'.length));
  return (await replayable.replayableDecisions(item.itemCode, shard, WINDOW)).find((r) => r.applicationId === applicationId);
}

describe('a first decision whose facts are over the storage budget', () => {
  it('is stored flagged, read back flagged for a simulation, and reported once however often it is delivered', async () => {
    const w = world();
    await w.approval.submitApplication(application('FD-1'), cause('fd-1'));
    await w.approval.submitApplication(application('FD-1'), cause('fd-1'));

    const stored = await version1('FD-1');
    expect(stored?.factsDropped).toBe('size');
    expect(JSON.parse(stored?.application as string)).toEqual(application('FD-1'));
    const read = await replayed('FD-1');
    expect(read?.facts).toBeUndefined();
    expect(read?.factsDropped).toBe('size');
    expect(read?.decision.outcome).toBe('APPROVED');

    expect(w.telemetry.points.filter((p) => p.name === 'DecisionFactsDropped')).toHaveLength(1);
    const warnings = w.telemetry.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ applicationId: 'FD-1', itemCode: item.itemCode, budgetBytes: 300 * 1024 });
    expect(warnings[0]!.fields.packedBytes as number).toBeGreaterThan(300 * 1024);
    expect(warnings[0]!.fields.storedBytes as number).toBeLessThan(300 * 1024);
    expect(JSON.stringify(warnings[0]!.fields)).not.toContain(ENTERPRISE.id);
  });

  it('in the group commit too: once for the decision, not for its redelivery in a later batch', async () => {
    const w = world();
    for (const batch of [1, 2]) {
      const unit = w.approval.batch();
      await unit.run(`m${batch}`, () => w.approval.submitApplication(application('FD-2'), cause('fd-2')));
      expect((await unit.commit()).size).toBe(0);
    }
    expect((await version1('FD-2'))?.factsDropped).toBe('size');
    expect(w.telemetry.points.filter((p) => p.name === 'DecisionFactsDropped')).toHaveLength(1);
    expect(w.telemetry.lines.filter((l) => l.level === 'warn').map((l) => l.fields.applicationId)).toEqual(['FD-2']);
  });

  it('a decision whose facts fit keeps them, with no flag and nothing reported', async () => {
    const w = world();
    await w.approval.submitApplication(application('FD-3', SMALL), cause('fd-3'));
    expect((await version1('FD-3'))?.factsDropped).toBeUndefined();
    const read = await replayed('FD-3');
    expect(read?.facts?.licences).toHaveLength(1);
    expect(read?.factsDropped).toBeUndefined();
    expect(w.telemetry.points.filter((p) => p.name === 'DecisionFactsDropped')).toEqual([]);
  });
});
