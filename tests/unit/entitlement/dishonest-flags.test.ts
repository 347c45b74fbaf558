/**
 * The dishonest (失信) flags: one key on the credit record, two on a policy.
 *
 * The credit record says `dishonest` and `falseCommitment` under those keys wherever it is read: the effective
 * record the registry folds (upstream data with CivicFlow's own false-commitment marks), and the credit view
 * of GET /credit/{subjectId}, whose `effective` part is read from that fold (foldCredit, through #registry)
 * and must stay equal to it: the last block fails if the view ever reads the record another way.
 *
 * A policy has one flag per subject kind, each naming the way its kind departs from its own default:
 * `includeDishonest` on an enterprise policy (dishonest enterprises are excluded unless it is true),
 * `excludeDishonest` on a person policy (dishonest persons are excluded only when it is true). They are not
 * one flag under two names: merged, one of the two defaults would have to change. What has to agree is the
 * edge, which refuses the other kind's flag, and the matcher, which reads only its kind's (and ignores the
 * other's on a policy stored before the edge refused it): every combination below is checked on both.
 */
import { makeIdNumber } from '#contract/identifiers';
import { validateData } from '#contract/envelope';
import { compilePolicy, excludesDishonest, inapplicableDishonestFlag, matchEnterprise, matchSlice, subjectIdOf, type Policy, type SubjectProfile } from '#entitlement/domain/index';
import { creditView } from '#query/credit';
import { foldCredit } from '#registry/domain/credit';
import { credit, elderly, person, profile, SAMPLE_NOW, samplePolicy } from './fixtures';

const OLD = makeIdNumber('440305', '19440601', '123');
const ENTERPRISE = '91440106MA59C1234X';
const FLAG_PATHS = ['data.includeDishonest', 'data.excludeDishonest'];

type Kind = 'enterprise (default)' | 'enterprise' | 'person';
const KINDS: readonly Kind[] = ['enterprise (default)', 'enterprise', 'person'];
const VALUES = [undefined, true, false] as const;

/** A policy of the kind with the flags as given (absent when undefined), and an eligible subject of it. */
function policyOf(kind: Kind, includeDishonest: boolean | undefined, excludeDishonest: boolean | undefined): { policy: Policy; subject: SubjectProfile } {
  const base: Policy =
    kind === 'person'
      ? elderly()
      : { ...samplePolicy('export-credit-insurance'), ...(kind === 'enterprise' ? { subjectKind: 'enterprise' as const } : {}) };
  const policy: Policy = {
    ...base,
    ...(includeDishonest !== undefined ? { includeDishonest } : {}),
    ...(excludeDishonest !== undefined ? { excludeDishonest } : {}),
  };
  const subject = kind === 'person' ? person(OLD) : profile({ creditCode: ENTERPRISE, status: 'active' });
  return { policy, subject };
}

/** The product's rule, as written for each kind: enterprises out unless included, persons out only when excluded. */
const expectedExcluded = (kind: Kind, includeDishonest: boolean | undefined, excludeDishonest: boolean | undefined): boolean =>
  kind === 'person' ? excludeDishonest === true : includeDishonest !== true;

/** The flag of the other kind, when the policy carries it. */
const otherKindsFlag = (kind: Kind, includeDishonest: boolean | undefined, excludeDishonest: boolean | undefined): string | undefined =>
  kind === 'person' ? (includeDishonest !== undefined ? 'includeDishonest' : undefined) : excludeDishonest !== undefined ? 'excludeDishonest' : undefined;

describe("a policy's dishonest flags: the edge and the matcher agree", () => {
  const cases = KINDS.flatMap((kind) => VALUES.flatMap((inc) => VALUES.map((exc) => [kind, inc, exc] as const)));

  it.each(cases)('%s policy, includeDishonest %p, excludeDishonest %p', (kind, inc, exc) => {
    const { policy, subject } = policyOf(kind, inc, exc);
    const other = otherKindsFlag(kind, inc, exc);

    // The edge refuses exactly the other kind's flag, by its path; the kind's own flag, either value, passes.
    const out = validateData('gov.policy.published', policy);
    const refused = out.ok ? [] : out.errors.map((e) => e.path).filter((path) => FLAG_PATHS.includes(path));
    expect(refused).toEqual(other === undefined ? [] : [`data.${other}`]);
    if (other === undefined) expect(out.ok).toBe(true);

    // The matcher names the same flag as ignored (a policy stored before the edge refused it)...
    expect(inapplicableDishonestFlag(policy)?.field).toBe(other);
    // ...and applies the kind's own rule, whatever the other flag says.
    const excluded = expectedExcluded(kind, inc, exc);
    expect(excludesDishonest(policy)).toBe(excluded);
    expect(inapplicableDishonestFlag(policy)?.excludes ?? excluded).toBe(excluded);

    // Both matchers (one pair with its trace, a slice in bulk) read the credit record's `dishonest` so.
    const id = subjectIdOf(subject);
    const honest = credit({ subjectId: id });
    const dishonest = credit({ subjectId: id, dishonest: true });
    const compiled = compilePolicy(policy);
    expect(matchEnterprise(policy, compiled, subject, honest, SAMPLE_NOW).outcome).toBe('eligible');
    expect(matchEnterprise(policy, compiled, subject, dishonest, SAMPLE_NOW)).toMatchObject(excluded ? { outcome: 'excluded', reason: 'DISHONEST' } : { outcome: 'eligible' });
    const bulk = matchSlice(policy, [subject], new Map([[id, dishonest]]), SAMPLE_NOW, { compiled });
    expect([bulk.eligible, bulk.excluded]).toEqual(excluded ? [[], 1] : [[id], 0]);
  });
});

describe("the credit record's flags: the fold and the credit view agree", () => {
  const upstreams = [undefined, ...[false, true].flatMap((dishonest) => [false, true].map((falseCommitment) => credit({ subjectId: ENTERPRISE, rating: 'C', dishonest, falseCommitment })))];
  const markSets = [[], [{ at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-1' }]];
  const cases = upstreams.flatMap((upstream) => markSets.map((marks) => [upstream, marks] as const));

  it.each(cases)('upstream %p, marks %p', (upstream, marks) => {
    const folded = foldCredit(ENTERPRISE, upstream, marks);
    const view = creditView(ENTERPRISE, 'enterprise', { ...(upstream ? { upstream } : {}), ...(marks.length > 0 ? { falseCommitmentMarks: marks } : {}) });
    expect(view.effective).toEqual({ rating: folded.rating ?? null, dishonest: folded.dishonest, falseCommitment: folded.falseCommitment });
  });
});
