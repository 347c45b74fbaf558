/** What a capability's route lists of refused events: a source sees its own, a reader (an auditor) sees all. */
import { stages } from '#topology/stages';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { visibleTo } = await import('#query/events');

const refused = [
  { source: '/systems/department', eventId: 'e-1' },
  { source: '/systems/window-acceptance', eventId: 'e-2' },
];
const sourceOf = (r: { source: string }) => r.source;

describe('visibleTo', () => {
  it('keeps a source\'s own refused events only', () => {
    expect(visibleTo('/systems/window-acceptance', refused, sourceOf).map((r) => r.eventId)).toEqual(['e-2']);
    expect(visibleTo('/systems/hotline-12345', refused, sourceOf)).toEqual([]);
  });
  it('keeps every refused event for a reader that is no source', () => {
    expect(visibleTo('/auditors/district', refused, sourceOf).map((r) => r.eventId)).toEqual(['e-1', 'e-2']);
  });
});
