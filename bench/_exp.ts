import { compilePolicy, matchSlice, type EnterpriseProfile } from '#entitlement';
import { createRng, generateEnterprises } from './fixtures/enterprises';
import { SAMPLE_POLICIES } from './fixtures/policies';
import { realShaped } from './rules/conditions';
const NOW = '2025-06-01T09:00:00+08:00';
const { profiles: raw } = generateEnterprises(1_000_000, 20250601, { missingRate: 0.05 });
const rng = createRng(20250602);
const profiles = raw.map((p) => (realShaped(rng, { enterprise: p }) as { enterprise: EnterpriseProfile }).enterprise);
const pol = SAMPLE_POLICIES.find((p) => p.policyId === (process.argv[2] ?? 'POL-EXPORT-CREDIT-INSURANCE'))!;
const compiled = compilePolicy(pol);
const loop = () => { const f: any = { enterprise: undefined, credit: undefined, now: NOW }; let e = 0; const el: string[] = []; for (let i = 0; i < profiles.length; i++) { f.enterprise = profiles[i]; const t = compiled.evaluate(f); if (t === false) continue; el.push(profiles[i]!.creditCode); e++; } return e; };
const bulk = () => matchSlice(pol, profiles, undefined, NOW, { compiled }).eligible.length;
for (let r = 0; r < 8; r++) {
  let s = performance.now(); bulk(); const b = performance.now() - s;
  s = performance.now(); loop(); const l = performance.now() - s;
  console.log(r, b.toFixed(1), l.toFixed(1), (b / l).toFixed(2));
}
