/**
 * A first decision whose facts are too large to keep with it (the store's budget) is stored without them,
 * which a simulation can only count as not replayable: the use case says so once the decision is stored —
 * a warning with the sizes and the `DecisionFactsDropped` metric — once per decision, whether it is written
 * alone or in the consumer's group commit, and never again for a redelivery.
 */
import { weatherApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
});

const dropped = () => w.telemetry.points.filter((p) => p.name === 'DecisionFactsDropped');
const warnings = () => w.telemetry.lines.filter((l) => l.level === 'warn');
const submit = (id: string, event: string) => () => w.approval.submitApplication(weatherApp({ applicationId: id }), portal(event));

describe('a first decision stored without its facts', () => {
  it('is reported once after the write: a warning with the sizes and no applicant data, and the metric', async () => {
    w.store.factsBudgetBytes = 64;
    await submit('BIG-1', 'e-1')();
    await submit('BIG-1', 'e-1')(); // a redelivery: nothing new is stored or reported

    expect(w.store.factsDropped).toEqual(new Set(['BIG-1']));
    expect(dropped()).toEqual([{ name: 'DecisionFactsDropped', unit: 'Count', value: 1 }]);
    expect(warnings()).toHaveLength(1);
    const { fields } = warnings()[0]!;
    expect(fields).toEqual({ applicationId: 'BIG-1', itemCode: 'QX-001', itemVersion: expect.any(Number), packedBytes: expect.any(Number), budgetBytes: 64, storedBytes: expect.any(Number) });
    expect(fields.packedBytes as number).toBeGreaterThan(64);
    // Never the applicant's ID number (or anything else of the applicant) in the line.
    expect(JSON.stringify(fields)).not.toContain(weatherApp().applicant.id);
  });

  it('in a group commit, is reported after the batch is written, once, and not for a redelivery in the batch', async () => {
    w.store.factsBudgetBytes = 64;
    const unit = w.approval.batch();
    await unit.run('m1', submit('BIG-2', 'e-2'));
    await unit.run('m2', submit('BIG-3', 'e-3'));
    expect(dropped()).toEqual([]);
    await unit.run('m3', submit('BIG-2', 'e-2'));
    expect((await unit.commit()).size).toBe(0);
    expect(dropped()).toHaveLength(2);
    expect(warnings().map((l) => l.fields.applicationId)).toEqual(['BIG-2', 'BIG-3']);
  });

  it('says nothing when the facts are kept', async () => {
    await submit('SMALL-1', 'e-4')();
    expect(w.store.factsDropped.size).toBe(0);
    expect(dropped()).toEqual([]);
    expect(warnings()).toEqual([]);
  });
});
