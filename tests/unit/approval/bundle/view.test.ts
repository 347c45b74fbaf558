/**
 * The bundle application as the query shows it (overdue computed when read) and the bundle figures,
 * against hand-computed cases.
 */
import { decideBundle, type BundleApplication } from '#approval/domain/bundle/application';
import { bundleFigures, bundleView } from '#approval/domain/bundle/view';
import type { ServiceItem } from '#approval/domain/types';
import { calendar } from '../fixtures';
import { FOUNDER, item, newborn } from './fixtures';

// Wednesday 2026-11-18, 10:00 in Shanghai; the newborn bundle promises 5 working days: due Wednesday 11-25.
const NOW = '2026-11-18T02:00:00.000Z';
const items = new Map<string, ServiceItem>(
  ['CS-CSYXZM', 'CS-HKDJ', 'CS-YBCB', 'CS-SBKSL'].map((code) => [code, item(code, `证照-${code}`, [], { rules: { id: `R-${code}`, description: '已填写', fact: 'form.childName', op: 'exists' } })] as const),
);
const app = (answers: Record<string, unknown>): BundleApplication => ({
  applicationId: 'YJS-V-1',
  bundleCode: newborn.bundleCode,
  applicant: FOUNDER,
  form: { childName: '张小明' },
  answers,
  materials: [],
  channel: 'online',
  submittedAt: NOW,
});

describe('the bundle view', () => {
  it('is overdue only while open after promisedDays working days, computed when read', () => {
    const asked = decideBundle(app({ hukouHere: true }), { bundle: newborn, items, licences: [], now: NOW, calendar });
    expect(asked.status).toBe('NEEDS_ANSWER');
    expect(asked.dueAt).toBe('2026-11-25T15:59:59.999Z');
    expect(bundleView(asked, '2026-11-25T15:59:59.999Z').overdue).toBe(false);
    expect(bundleView(asked, '2026-11-25T16:00:00.000Z').overdue).toBe(true);
    const decided = decideBundle(app({ hukouHere: true, insuredElsewhere: false, wantsCard: true }), { bundle: newborn, items, licences: [], now: NOW, calendar });
    expect(decided.status).toBe('APPROVED');
    const view = bundleView(decided, '2026-12-31T00:00:00.000Z');
    expect(view).toMatchObject({ kind: 'bundle', overdue: false, legalDaysSum: 40 });
    expect(view.children.map((c) => [c.itemCode, c.outcome])).toEqual([['CS-CSYXZM', 'APPROVED'], ['CS-HKDJ', 'APPROVED'], ['CS-YBCB', 'APPROVED'], ['CS-SBKSL', 'APPROVED']]);
    expect(view.applicability.find((a) => a.itemCode === 'CS-YBCB')).toMatchObject({ applies: true, explanation: { result: true } });
  });
});

describe('the bundle figures', () => {
  it('count bundles by outcome, and over final ones the no-person share, materials saved and time against legal days', () => {
    const at = (date: string) => `${date}T02:00:00.000Z`;
    const figures = bundleFigures(
      [
        // Wed → Fri: 2 working days, 20 legal days, 3 materials saved, no person.
        { status: 'APPROVED', noPerson: true, materialsSaved: 3, legalDaysSum: 20, submittedAt: at('2026-11-18'), decidedAt: at('2026-11-20') },
        // Wed → next Mon: 3 working days, 30 legal days, 1 saved, a person decided one child.
        { status: 'PARTIALLY_APPROVED', noPerson: false, materialsSaved: 1, legalDaysSum: 30, submittedAt: at('2026-11-18'), decidedAt: at('2026-11-23') },
        // Still open: counted by outcome only.
        { status: 'IN_PROGRESS', noPerson: false, materialsSaved: 9, legalDaysSum: 50, submittedAt: at('2026-11-18'), decidedAt: at('2026-11-18') },
      ],
      calendar,
    );
    expect(figures).toEqual({
      bundles: 3,
      byStatus: { APPROVED: 1, PARTIALLY_APPROVED: 1, IN_PROGRESS: 1 },
      final: 2,
      noPersonShare: 0.5,
      materialsSaved: 4,
      workingDays: 5,
      legalDays: 50,
      timeAgainstLegal: 0.1,
    });
    expect(bundleFigures([], calendar)).toMatchObject({ bundles: 0, noPersonShare: null, timeAgainstLegal: null });
  });
});
