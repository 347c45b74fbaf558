// A policy draft's budget: what paying its eligible would take, in exact decimal as the budget is reserved.
import { policyResultOf, type PolicySliceTally } from '#simulation/domain/policy-result';
import { policy as policyOf } from '../entitlement/fixtures';

const tally = (eligible: number): PolicySliceTally => ({
  profiles: eligible,
  draft: { eligible, needsInfo: 0, ineligible: 0, excluded: 0 },
  transitions: { 'notEligible → eligible': eligible },
  noLongerCovered: [],
});

describe("a policy draft's budget", () => {
  it('is enough when the amounts add up to it exactly, as the reservations would (3 × 99.9 of 299.7)', () => {
    const base = policyOf({ budget: 299.7 });
    const draft = { ...base, benefit: { ...base.benefit, amount: 99.9 } };
    expect(policyResultOf(tally(3), draft).budget).toEqual({ needed: 299.7, budget: 299.7, enough: true });
  });

  it('needs the exact sum in yuan and fen, and is not enough a fen short', () => {
    const base = policyOf({ budget: 3703.67 });
    const draft = { ...base, benefit: { ...base.benefit, amount: 1234.56 } };
    expect(policyResultOf(tally(3), draft).budget).toEqual({ needed: 3703.68, budget: 3703.67, enough: false });
    const fen = { ...draft, benefit: { ...draft.benefit, amount: 0.1 } };
    expect(policyResultOf(tally(3), fen).budget.needed).toBe(0.3);
  });
});
