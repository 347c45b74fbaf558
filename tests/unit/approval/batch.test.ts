/**
 * The approval consumer's group commit (the service's `batch()`) over in-memory ports: a batch's new
 * applications are decided one by one but written in one call (no outbox items), what they owe sent together;
 * a known application in the batch runs again on its own and decides nothing new.
 */
import { weatherApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
});

const outbound = () => w.messenger.outbound.map((e) => e.id).sort();
const versions = (id: string) => w.store.cases.get(id)?.versions ?? [];
const submit = (id: string, event: string) => () => w.approval.submitApplication(weatherApp({ applicationId: id }), portal(event));

describe('approval group commit', () => {
  it('writes three new applications together, without outbox items, and sends what they owe together, counting each after the write', async () => {
    const unit = w.approval.batch();
    for (const n of [1, 2, 3]) await unit.run(`m${n}`, submit(`APP-${n}`, `e-${n}`));
    expect(w.store.calls).toEqual([]);
    expect(w.telemetry.points).toEqual([]);
    expect((await unit.commit()).size).toBe(0);

    expect(w.store.calls).toEqual(['writeFirstDecisions']);
    expect(w.messenger.calls).toEqual(['sendInternal', 'publish']);
    expect(outbound()).toEqual(['decision:APP-1:1', 'decision:APP-2:1', 'decision:APP-3:1']);
    for (const n of [1, 2, 3]) {
      expect(versions(`APP-${n}`)).toHaveLength(1);
      expect(w.store.cases.get(`APP-${n}`)!.outboxes.size).toBe(0);
    }
    expect(w.telemetry.points.filter((p) => p.name === 'Decisions')).toHaveLength(3);
  });

  it('decides a redelivery in the same batch once: the second record finds the first written and sends the same event again', async () => {
    const unit = w.approval.batch();
    await unit.run('m1', submit('APP-1', 'e-1'));
    await unit.run('m2', submit('APP-2', 'e-2'));
    await unit.run('m3', submit('APP-1', 'e-1'));
    expect((await unit.commit()).size).toBe(0);

    expect(versions('APP-1')).toHaveLength(1);
    // The redelivery cannot know its first delivery's send went out: it sends again, with the same id.
    expect(outbound()).toEqual(['decision:APP-1:1', 'decision:APP-1:1', 'decision:APP-2:1']);
    expect(unit.stats.redone).toBe(1);
    expect(w.telemetry.points.filter((p) => p.name === 'Decisions')).toHaveLength(2);
  });

  it('runs a known application of the batch again on its own; the others are written without it', async () => {
    await submit('APP-OLD', 'e-0')();
    w.store.calls.length = 0;
    const unit = w.approval.batch();
    await unit.run('m1', submit('APP-OLD', 'e-0'));
    await unit.run('m2', submit('APP-NEW', 'e-9'));
    expect((await unit.commit()).size).toBe(0);

    // APP-OLD's change conflicts and APP-NEW's is written and sent; then APP-OLD's record alone finds its
    // application there, loads the case and, being the event that made version 1, sends it again.
    expect(w.store.calls).toEqual(['writeFirstDecisions', 'createFirstDecision', 'loadCase']);
    expect(versions('APP-OLD')).toHaveLength(1);
    expect(outbound()).toEqual(['decision:APP-NEW:1', 'decision:APP-OLD:1', 'decision:APP-OLD:1']);
  });

  it('fails the records whose messages could not be sent; their redelivery sends them', async () => {
    const unit = w.approval.batch();
    await unit.run('m1', submit('APP-1', 'e-1'));
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    expect([...(await unit.commit())]).toEqual(['m1']);
    expect(versions('APP-1')).toHaveLength(1);
    expect(outbound()).toEqual([]);

    await submit('APP-1', 'e-1')();
    expect(outbound()).toEqual(['decision:APP-1:1']);
    expect(versions('APP-1')).toHaveLength(1);
  });

  it('fails every record of a write that failed; nothing is counted', async () => {
    const unit = w.approval.batch();
    await unit.run('m1', submit('APP-1', 'e-1'));
    await unit.run('m2', submit('APP-2', 'e-2'));
    w.store.failNext('writeFirstDecisions', new Error('DynamoDB unavailable'));
    expect([...(await unit.commit())].sort()).toEqual(['m1', 'm2']);
    expect(w.messenger.outbound).toEqual([]);
    expect(w.telemetry.points).toEqual([]);
  });
});
