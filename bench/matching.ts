/**
 * Policy matching in-process: each sample policy against 1 M generated enterprise profiles on
 * one core with `matchSlice` (the publish-time bulk path), next to a hand-written closure doing the same
 * loop (evaluate, skip the ineligible, look up credit records only for the rest).
 */
import { compilePolicy, matchSlice, type CreditRecord, type EnterpriseProfile, type Policy } from '#entitlement';
import type { Truth } from '#rules';
import { createRng, generateEnterprises } from './fixtures/enterprises';
import { SAMPLE_POLICIES } from './fixtures/policies';
import { CLOSURES, realShaped } from './rules/conditions';
import type { BenchContext, Missed, SectionResult } from './types';
import { median, ratio, si, table, tick } from './util';

const NOW = '2025-06-01T09:00:00+08:00';
const PROFILES = 1_000_000;

/** The loop a person would write for one policy, with its criteria as a closure. */
function closureMatch(
  criteria: (f: unknown) => boolean | null,
  profiles: readonly EnterpriseProfile[],
  credits: ReadonlyMap<string, CreditRecord> | undefined,
  readsCredit: boolean,
): { eligible: number; needsInfo: number; ineligible: number; excluded: number } {
  // Codes are collected as matchSlice collects them, so both loops do the same work.
  const eligible: string[] = [];
  const needsInfo: string[] = [];
  let ineligible = 0;
  let excluded = 0;
  const facts: { enterprise: EnterpriseProfile | undefined; credit: CreditRecord | undefined; now: string } = { enterprise: undefined, credit: undefined, now: NOW };
  for (let i = 0; i < profiles.length; i++) {
    const p = profiles[i]!;
    facts.enterprise = p;
    if (readsCredit && credits) facts.credit = credits.get(p.creditCode);
    const t = criteria(facts);
    if (t === false) {
      ineligible++;
      continue;
    }
    const c = readsCredit ? facts.credit : credits?.get(p.creditCode);
    if (c !== undefined && c.dishonest) excluded++;
    else if (t === true) eligible.push(p.creditCode);
    else needsInfo.push(p.creditCode);
  }
  return { eligible: eligible.length, needsInfo: needsInfo.length, ineligible, excluded };
}

/**
 * 1 M profiles shaped as the registry's real ones: 5 % of optional fields missing, then each rebuilt in
 * one of three key orders with a further 6 % of its fields missing (bench/rules/conditions.ts `realShaped`).
 */
function realProfiles(): { profiles: EnterpriseProfile[]; credits: Map<string, CreditRecord> } {
  const { profiles, credits } = generateEnterprises(PROFILES, 20250601, { missingRate: 0.05 });
  const rng = createRng(20250602);
  return { profiles: profiles.map((p) => (realShaped(rng, { enterprise: p }) as { enterprise: EnterpriseProfile }).enterprise), credits };
}

export async function matchingSection(ctx: BenchContext): Promise<SectionResult> {
  const runs = ctx.quick ? 3 : 7;
  ctx.progress(0, `generating ${si(PROFILES)} profiles`);
  const t0 = performance.now();
  const { profiles, credits } = realProfiles();
  const genMs = performance.now() - t0;
  await tick();

  interface MatchRow { policy: Policy; credits: boolean; cf: number; loop: number; closure: number; rounds: number[]; eligible: number; needsInfo: number; excluded: number }
  const rows: MatchRow[] = [];
  const variants = [false, true];
  let step = 0;
  const steps = SAMPLE_POLICIES.length * variants.length;
  type Runner = 'cf' | 'loop' | 'closure';
  for (const withCredits of variants) {
    const creditMap = withCredits ? credits : undefined;
    for (const policy of SAMPLE_POLICIES) {
      const closure = CLOSURES[`policy:${policy.policyId}`]! as (f: unknown) => Truth;
      const compiled = compilePolicy(policy);
      const evaluate = (f: unknown) => compiled.evaluate(f as never);
      const readsCredit = JSON.stringify(policy.criteria).includes('"credit.');
      const times: Record<Runner, number[]> = { cf: [], loop: [], closure: [] };
      let outcome = { eligible: 0, needsInfo: 0, excluded: 0 };
      const run = (which: Runner) => {
        if (which !== 'cf') return closureMatch(which === 'loop' ? evaluate : closure, profiles, creditMap, readsCredit);
        // As the match function calls it: with the policy's compiled condition, compiled once and kept warm.
        const out = matchSlice(policy, profiles, creditMap, NOW, { compiled });
        if (out.inactive) throw new Error(`bench: ${policy.policyId} is inactive at ${NOW}`);
        return { eligible: out.eligible.length, needsInfo: out.needsInfo.length, excluded: out.excluded };
      };
      for (let r = 0; r < runs + 1; r++) {
        // Rotate which goes first; run 0 (matchSlice first) is the warm-up and the agreement check.
        const order = (['cf', 'loop', 'closure'] as const).map((_, k, all) => all[(k + r) % 3]!);
        for (const which of order) {
          const s = performance.now();
          const out = run(which);
          const dt = performance.now() - s;
          if (r > 0) times[which].push(dt);
          if (which === 'cf') outcome = { eligible: out.eligible, needsInfo: out.needsInfo, excluded: out.excluded };
          else if (r === 0 && (outcome.eligible !== out.eligible || outcome.needsInfo !== out.needsInfo || outcome.excluded !== out.excluded)) {
            throw new Error(`bench: ${which} and matchSlice disagree on ${policy.policyId}: ${JSON.stringify([out, outcome])}`);
          }
          await tick();
        }
        ctx.progress((step + (r + 1) / (runs + 1)) / steps, `${policy.policyId}${withCredits ? ' + credits' : ''}`);
      }
      step++;
      // matchSlice's time over the loop's in each round (the two ran back to back): the spread is the noise.
      const rounds = times.cf.map((t, k) => t / times.loop[k]!);
      rows.push({ policy, credits: withCredits, cf: median(times.cf), loop: median(times.loop), closure: median(times.closure), rounds, ...outcome });
    }
  }
  const bare = rows.filter((r) => !r.credits);
  const worst = Math.max(...bare.map((r) => r.cf));
  const worstCredits = Math.max(...rows.filter((r) => r.credits).map((r) => r.cf));
  const body = [
    `${si(PROFILES)} profiles shaped like the registry's (generated in ${(genMs / 1000).toFixed(1)} s): \`generateEnterprises(${PROFILES}, 20250601)\` with 5 % of`,
    'each optional field missing, 15 % with a credit record, 1 % dishonest, then every profile rebuilt in one of three key',
    'orders with a further 6 % of its fields missing (the rules section\'s real-shaped facts), held in memory. Each sample',
    `policy is matched over all of them on one core, median of ${runs} runs after a warm-up, the order of three runners`,
    'rotated every run: `matchSlice(policy, profiles, credits, now, { compiled })` (the bulk path the match function uses,',
    'with the condition compiled once per policy as that function keeps it: for enterprises it runs the condition\'s',
    'generated bulk loop, `selectEach`, which evaluates the slice with no call per profile and collects the codes of',
    'the profiles not ruled out while each is still in the cache); the **one-at-a-time loop**, a plain loop',
    'calling the same compiled condition\'s `evaluate` per profile; and the same loop',
    'over the hand-written closure of the rules benchmark (ordered by selectivity). All three must report the same',
    'eligible, needs-info and excluded counts. "Per round" is matchSlice\'s time over the loop\'s within each round',
    '(they ran back to back): its range is the noise, and the aim is judged on its median.',
    '',
    'Two variants: criteria only (`credits` undefined, as `functions/entitlement/match.ts` calls it: the function then',
    'reads the credit records of the few candidates from DynamoDB), and with an in-memory `Map` of the 150 k credit',
    'records, where every enterprise not ruled out by the criteria is looked up for the dishonest exclusion. The',
    'second is bound by those hash lookups (one random memory read chain per candidate, ~0.3–0.8 µs here), not by',
    'the rules: the hand-written loop pays the same.',
    '',
    table(
      ['policy', 'dishonest check', 'eligible', 'needs info', 'excluded (dishonest)', 'matchSlice', 'profiles/s', 'one-at-a-time loop', 'closure loop', 'matchSlice / loop (time)', 'per round: median (range)', 'matchSlice / closure (time)'],
      rows.map((r) => [
        `\`${r.policy.policyId}\``,
        r.credits ? 'in-memory credit map' : 'none (as the match function)',
        r.eligible.toLocaleString('en'),
        r.needsInfo.toLocaleString('en'),
        r.excluded.toLocaleString('en'),
        `${Math.round(r.cf)} ms`,
        si(PROFILES / (r.cf / 1000)),
        `${Math.round(r.loop)} ms`,
        `${Math.round(r.closure)} ms`,
        ratio(r.cf / r.loop),
        `${ratio(median(r.rounds))} (${ratio(Math.min(...r.rounds))}–${ratio(Math.max(...r.rounds))})`,
        ratio(r.cf / r.closure),
      ]),
    ),
  ].join('\n');
  const missed: Missed[] = [];
  if (worst > 1000) {
    missed.push({ aim: '1 M profiles under 1 s on one core', result: `${Math.round(worst)} ms`, limit: 'see the closure column: the machine was loaded if the closure is as slow' });
  }
  if (worstCredits > 1000) {
    missed.push({
      aim: '1 M profiles under 1 s on one core, with the dishonest check in memory',
      result: `${Math.round(worstCredits)} ms for the policy with the most candidates`,
      limit: 'Map lookups of ~800 k credit codes (memory-bound; the hand-written loop is as slow). The deployed match function does not do this: it checks only the candidates of each slice against credit records read in bulk.',
    });
  }
  // Judged on the median of the per-round ratios (interleaved rounds), the spread shown beside it.
  const bulkRatios = bare.map((r) => median(r.rounds));
  const slowest = bare[bulkRatios.indexOf(Math.max(...bulkRatios))]!;
  if (Math.max(...bulkRatios) > 1.05) {
    missed.push({
      aim: 'the bulk path (matchSlice) at least as fast as the one-at-a-time loop',
      result: `${ratio(median(slowest.rounds))} the loop's time on \`${slowest.policy.policyId}\` (median of the rounds; range ${ratio(Math.min(...slowest.rounds))}–${ratio(Math.max(...slowest.rounds))})`,
      limit: 'matchSlice runs the condition\'s generated loop (selectEach), the loop calls evaluate once per profile; both read the same profiles and collect the same codes, so what is left is how V8 optimized each on this run',
    });
  }
  return {
    id: 'matching',
    title: 'Policy matching in-process',
    body,
    headlines: [
      `Matching: one policy against 1 M profiles in ${Math.round(Math.min(...bare.map((r) => r.cf)))}–${Math.round(worst)} ms on one core (hand-written closure: ${Math.round(Math.min(...bare.map((r) => r.closure)))}–${Math.round(Math.max(...bare.map((r) => r.closure)))} ms; matchSlice / one-at-a-time loop ${ratio(Math.min(...bulkRatios))}–${ratio(Math.max(...bulkRatios))} in time, medians of interleaved rounds), on real-shaped profiles`,
    ],
    missed,
  };
}
