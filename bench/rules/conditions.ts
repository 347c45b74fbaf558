/**
 * The conditions the rules benchmark runs (SPEC §13): every sample item's rules, every sample policy's
 * criteria and a deep synthetic condition, each with seeded facts and a hand-written JavaScript closure
 * (three-valued, as tight as a person would write it) that is the reference limit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition, Facts, Truth } from '#rules';
import { createRng, generateEnterprises, type Rng } from '#bench/fixtures/enterprises';
import { SAMPLE_POLICIES } from '#bench/fixtures/policies';

export const ROOT = join(import.meta.dirname, '..', '..');
export const NOW = '2026-11-03T10:15:00+08:00';

export interface BenchCondition {
  readonly name: string;
  readonly kind: 'item' | 'policy' | 'synthetic';
  readonly condition: Condition;
  /** Facts where every path the condition reads is present (the peers are two-valued). */
  readonly facts: Facts[];
  /** Facts with some paths missing: only CivicFlow and the closure are compared on these (unknown). */
  readonly partialFacts: Facts[];
  readonly closure: (f: any) => Truth;
}

// --- tiny three-valued helpers a hand-writer would inline --------------------------------------------
const U = null;
const num = (v: unknown): v is number => typeof v === 'number' && v === v;
/** Whole years from a YYYY-MM-DD birth date to the date part of `now` as written. */
function age(birth: unknown, now: unknown): number | null {
  if (typeof birth !== 'string' || typeof now !== 'string' || birth.length < 10 || now.length < 10) return null;
  const b = +birth.slice(0, 4) * 10000 + +birth.slice(5, 7) * 100 + +birth.slice(8, 10);
  const n = +now.slice(0, 4) * 10000 + +now.slice(5, 7) * 100 + +now.slice(8, 10);
  if (b !== b || n !== n) return null;
  let a = Math.floor(n / 10000) - Math.floor(b / 10000);
  if (n % 10000 < b % 10000) a -= 1;
  return a;
}
/** Kleene all / any over already computed parts (short-circuit left to the caller where it matters). */
const and = (a: Truth, b: Truth, c: Truth = true, d: Truth = true, e: Truth = true): Truth =>
  a === false || b === false || c === false || d === false || e === false
    ? false
    : a === null || b === null || c === null || d === null || e === null
      ? null
      : true;
const or = (a: Truth, b: Truth): Truth => (a === true || b === true ? true : a === null || b === null ? null : false);
const not = (x: Truth): Truth => (x === null ? null : !x);

// --- hand-written closures, keyed by condition name --------------------------------------------------
const eqS = (v: unknown, s: string): Truth => (v === s ? true : typeof v === 'string' ? false : U);
const in2 = (v: unknown, a: string, b: string): Truth => (v === a || v === b ? true : typeof v === 'string' ? false : U);
const in3 = (v: unknown, a: string, b: string, c: string): Truth =>
  v === a || v === b || v === c ? true : typeof v === 'string' ? false : U;
const in4 = (v: unknown, a: string, b: string, c: string, d: string): Truth =>
  v === a || v === b || v === c || v === d ? true : typeof v === 'string' ? false : U;

export const CLOSURES: Record<string, (f: any) => Truth> = {
  'item:enterprise-startup-manual': (f) => {
    const a = age(f.applicant?.birthDate, f.now);
    const r1: Truth = a === null ? U : a >= 18;
    if (r1 === false) return false;
    const n = f.form?.enterpriseName;
    const r2 = n !== undefined && n !== null;
    return r2 ? r1 : false;
  },
  'item:no-criminal-record': (f) => {
    const a = age(f.applicant?.birthDate, f.now);
    const r1: Truth = a === null ? U : a >= 16;
    if (r1 === false) return false;
    const r2 = in4(f.form?.purpose, '就业', '入学', '出国(境)', '资质申请');
    return r2 === false ? false : r1 === null || r2 === null ? U : true;
  },
  'item:outdoor-advertising': (f) => {
    const form = f.form;
    const area = form?.areaSqm;
    const r1: Truth = num(area) ? area <= 20 : U;
    if (r1 === false) return false;
    const d = form?.durationDays;
    const r2: Truth = num(d) ? d >= 1 && d <= 30 : U;
    if (r2 === false) return false;
    const r3 = not(in2(form?.locationType, '文物保护单位', '历史风貌区'));
    if (r3 === false) return false;
    const r4 = eqS(f.licence?.['营业执照']?.status, '存续');
    return and(r1, r2, r3, r4);
  },
  'item:weather-certificate': (f) => {
    const p = f.form?.purpose;
    if (p === undefined || p === null) return false;
    const e = f.form?.eventDate;
    const r2: Truth =
      typeof e === 'string' && e.length === 10 && typeof f.now === 'string' ? e < f.now.slice(0, 10) : U;
    if (r2 === false) return false;
    const r3 = eqS(f.form?.district, '南山区');
    return r3 === false ? false : r2 === null || r3 === null ? U : true;
  },
  'policy:POL-EXPORT-CREDIT-INSURANCE': (f) => {
    const e = f.enterprise;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const x = e?.exportValueUsd;
    const r2: Truth = num(x) ? x > 0 : U;
    if (r2 === false) return false;
    const r3: Truth = num(x) ? x <= 6_000_000 : U;
    if (r3 === false) return false;
    return and(r1, r2, r3, eqS(e?.status, '存续'));
  },
  'policy:POL-DISABILITY-LEVY-EXEMPTION': (f) => {
    const e = f.enterprise;
    const n = e?.employees;
    const r1: Truth = num(n) ? n <= 30 : U;
    if (r1 === false) return false;
    return and(r1, eqS(e?.status, '存续'));
  },
  'policy:POL-SOCIAL-INSURANCE-SUBSIDY': (f) => {
    const e = f.enterprise;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const n = e?.employees;
    const r2: Truth = num(n) ? n >= 3 : U;
    if (r2 === false) return false;
    const r3 = eqS(e?.status, '存续');
    if (r3 === false) return false;
    const t = e?.taxCreditRating;
    const r4: Truth = t === 'D' ? false : typeof t === 'string' ? true : U;
    return and(r1, r2, r3, r4);
  },
  'policy:POL-SMALL-BUSINESS-TAX-RELIEF': (f) => {
    const e = f.enterprise;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const n = e?.employees;
    const r2: Truth = num(n) ? n <= 300 : U;
    if (r2 === false) return false;
    const r3 = eqS(e?.status, '存续');
    if (r3 === false) return false;
    return and(r1, r2, r3, not(eqS(e?.taxCreditRating, 'D')));
  },
  'policy:disability-fund-exemption': (f) => {
    const n = f.enterprise?.employees;
    return num(n) ? n <= 30 : U;
  },
  'policy:export-credit-insurance': (f) => {
    const e = f.enterprise;
    const r1 = in2(e?.size, 'small', 'micro');
    if (r1 === false) return false;
    const x = e?.exportValueUsd;
    const r2: Truth = num(x) ? x <= 6_000_000 : U;
    if (r2 === false) return false;
    return and(r1, r2, eqS(e?.status, 'active'));
  },
  'policy:social-insurance-subsidy': (f) => {
    const e = f.enterprise;
    const r1 = in2(e?.size, 'small', 'micro');
    if (r1 === false) return false;
    const r2 = eqS(e?.status, 'active');
    if (r2 === false) return false;
    const r3 = in3(e?.taxCreditRating, 'A', 'B', 'M');
    if (r3 === false) return false;
    const d = f.credit?.dishonest;
    const r4: Truth = d === true ? false : typeof d === 'boolean' ? true : U;
    return and(r1, r2, r3, r4);
  },
  'synthetic:deep': (f) => {
    const e = f.enterprise;
    const c = f.credit;
    // all[ active, any[ all[small|micro, employees 3..300, any[exporter ≤ 6M, industry tech]], all[medium, rating A|B] ],
    //      not any[ dishonest, rating in C,D ], any[ region Shenzhen, all[established before 2015, not 注销] ],
    //      all[ any[ employees ≥ 10, exports > 1M ], not eq size large ] ]
    const active = eqS(e?.status, '存续');
    if (active === false) return false;
    const size = e?.size;
    const n = e?.employees;
    const x = e?.exportValueUsd;
    const smallMicro = in2(size, 'small', 'micro');
    const empBand: Truth = num(n) ? n >= 3 && n <= 300 : U;
    const exporter: Truth = num(x) ? x > 0 && x <= 6_000_000 : U;
    const tech = in2(e?.industry, '科学研究和技术服务业', '信息传输、软件和信息技术服务业');
    const branch1 = and(smallMicro, empBand, or(exporter, tech));
    const branch2 = and(eqS(size, 'medium'), in2(e?.taxCreditRating, 'A', 'B'));
    const fit = or(branch1, branch2);
    if (fit === false) return false;
    const d = c?.dishonest;
    const bad = or(d === true ? true : typeof d === 'boolean' ? false : U, in2(c?.rating, 'C', 'D'));
    const clean = not(bad);
    if (clean === false) return false;
    const est = e?.establishedOn;
    const old: Truth = typeof est === 'string' && est.length === 10 ? est < '2015-01-01' : U;
    const place = or(in4(e?.region, '440303', '440304', '440305', '440306'), and(old, not(eqS(e?.status, '注销'))));
    if (place === false) return false;
    const size2 = and(or(num(n) ? n >= 10 : U, num(x) ? x > 1_000_000 : U), not(eqS(size, 'large')));
    return and(active, fit, clean, place, size2);
  },
};

const leaf = (id: string, fact: string, op: string, value?: unknown): Condition =>
  ({ id, description: `合成条件${id}`, fact, op, ...(value === undefined ? {} : { value }) }) as Condition;

/** A deep condition (depth 5, 19 leaves) over enterprise and credit facts, as a province might write. */
export const DEEP_CONDITION: Condition = {
  all: [
    leaf('D-ACTIVE', 'enterprise.status', 'eq', '存续'),
    {
      any: [
        {
          all: [
            leaf('D-SIZE', 'enterprise.size', 'in', ['small', 'micro']),
            leaf('D-EMP', 'enterprise.employees', 'between', [3, 300]),
            {
              any: [
                { all: [leaf('D-EXP', 'enterprise.exportValueUsd', 'gt', 0), leaf('D-EXP-CAP', 'enterprise.exportValueUsd', 'lte', 6_000_000)] },
                leaf('D-TECH', 'enterprise.industry', 'in', ['科学研究和技术服务业', '信息传输、软件和信息技术服务业']),
              ],
            },
          ],
        },
        { all: [leaf('D-MEDIUM', 'enterprise.size', 'eq', 'medium'), leaf('D-RATING', 'enterprise.taxCreditRating', 'in', ['A', 'B'])] },
      ],
    },
    { not: { any: [leaf('D-DISHONEST', 'credit.dishonest', 'eq', true), leaf('D-CREDIT', 'credit.rating', 'in', ['C', 'D'])] } },
    {
      any: [
        leaf('D-SZ', 'enterprise.region', 'in', ['440303', '440304', '440305', '440306']),
        { all: [leaf('D-OLD', 'enterprise.establishedOn', 'before', '2015-01-01'), { not: leaf('D-CLOSED', 'enterprise.status', 'eq', '注销') }] },
      ],
    },
    {
      all: [
        { any: [leaf('D-STAFF10', 'enterprise.employees', 'gte', 10), leaf('D-EXP1M', 'enterprise.exportValueUsd', 'gt', 1_000_000)] },
        { not: leaf('D-LARGE', 'enterprise.size', 'eq', 'large') },
      ],
    },
  ],
};

// --- facts --------------------------------------------------------------------------------------------
const pickOf = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
function birthDate(rng: Rng): string {
  const y = 1950 + Math.floor(rng() * 65);
  // Birthdays around 3 November so "turns 16/18 today" happens; never 29 February.
  const m = rng() < 0.3 ? 11 : 1 + Math.floor(rng() * 12);
  const d = m === 11 ? 1 + Math.floor(rng() * 6) : 1 + Math.floor(rng() * 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
function isoDay(rng: Rng): string {
  const d = new Date(Date.UTC(2026, 9, 1) + Math.floor(rng() * 60) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const ITEM_FACTS: Record<string, (rng: Rng) => Facts> = {
  'enterprise-startup-manual': (rng) => ({
    applicant: { birthDate: birthDate(rng) },
    form: { enterpriseName: rng() < 0.8 ? '深圳市星河创新科技有限公司' : null },
    now: NOW,
  }),
  'no-criminal-record': (rng) => ({
    applicant: { birthDate: birthDate(rng) },
    form: { purpose: pickOf(rng, ['就业', '入学', '出国(境)', '资质申请', '落户', '其他']) },
    now: NOW,
  }),
  'outdoor-advertising': (rng) => ({
    form: {
      areaSqm: Math.round(rng() * 300) / 10,
      durationDays: Math.floor(rng() * 40),
      locationType: pickOf(rng, ['商业建筑外墙', '临街店面', '文物保护单位', '历史风貌区', '公共广场']),
    },
    licence: { 营业执照: { status: rng() < 0.85 ? '存续' : '吊销' } },
    now: NOW,
  }),
  'weather-certificate': (rng) => ({
    form: {
      purpose: rng() < 0.9 ? '保险理赔' : null,
      eventDate: isoDay(rng),
      district: rng() < 0.8 ? '南山区' : '福田区',
    },
    now: NOW,
  }),
};

/** Removes one random path of a fact object (deep copy), so some leaves see a missing fact. */
function withHole(rng: Rng, facts: Facts): Facts {
  const copy = JSON.parse(JSON.stringify(facts)) as Record<string, any>;
  const paths: string[][] = [];
  const walk = (o: any, p: string[]) => {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, [...p, k]);
      else if (k !== 'now') paths.push([...p, k]);
    }
  };
  walk(copy, []);
  const p = pickOf(rng, paths);
  let o = copy;
  for (const k of p.slice(0, -1)) o = o[k];
  delete o[p[p.length - 1]!];
  return copy;
}

/** Policy facts: generated enterprises with every field present, and always a credit record. */
function policyFacts(count: number, seed: number): Facts[] {
  const { profiles, credits } = generateEnterprises(count * 2, seed, { missingRate: 0 });
  const rng = createRng(seed + 1);
  const out: Facts[] = [];
  for (const p of profiles) {
    if (out.length === count) break;
    const credit = credits.get(p.creditCode) ?? { subjectId: p.creditCode, asOf: p.asOf, rating: 'B', dishonest: false, falseCommitment: false };
    // Half say "active" as the sample policy files do; the rest keep the generator's Chinese status.
    const status = p.status === '存续' && rng() < 0.5 ? 'active' : p.status;
    out.push({ enterprise: JSON.parse(JSON.stringify({ ...p, status })), credit: { ...credit }, now: NOW });
  }
  return out;
}

export function loadConditions(factsPerCondition = 256, seed = 20261103): BenchCondition[] {
  const rng = createRng(seed);
  const out: BenchCondition[] = [];
  const itemDir = join(ROOT, 'events/samples/gov.catalog.item.published');
  for (const file of readdirSync(itemDir).filter((f) => f.endsWith('.json')).sort()) {
    const key = file.replace(/\.json$/, '');
    const gen = ITEM_FACTS[key];
    const name = `item:${key}`;
    if (!gen || !CLOSURES[name]) throw new Error(`bench: no facts generator or closure for sample item ${file}`);
    const facts = Array.from({ length: factsPerCondition }, () => gen(rng));
    const event = JSON.parse(readFileSync(join(itemDir, file), 'utf8')) as { data: { rules: Condition } };
    out.push({ name, kind: 'item', condition: event.data.rules, facts, partialFacts: facts.map((f) => withHole(rng, f)), closure: CLOSURES[name]! });
  }
  const enterpriseFacts = policyFacts(factsPerCondition, seed);
  const partial = enterpriseFacts.map((f) => withHole(rng, f));
  const policies: Array<[string, Condition]> = SAMPLE_POLICIES.map((p) => [`policy:${p.policyId}`, p.criteria]);
  const policyDir = join(ROOT, 'events/samples/gov.policy.published');
  for (const file of readdirSync(policyDir).filter((f) => f.endsWith('.json')).sort()) {
    const event = JSON.parse(readFileSync(join(policyDir, file), 'utf8')) as { data: { criteria: Condition } };
    policies.push([`policy:${file.replace(/\.json$/, '')}`, event.data.criteria]);
  }
  for (const [name, condition] of policies) {
    if (!CLOSURES[name]) throw new Error(`bench: no hand-written closure for ${name}`);
    out.push({ name, kind: 'policy', condition, facts: enterpriseFacts, partialFacts: partial, closure: CLOSURES[name]! });
  }
  out.push({ name: 'synthetic:deep', kind: 'synthetic', condition: DEEP_CONDITION, facts: enterpriseFacts, partialFacts: partial, closure: CLOSURES['synthetic:deep']! });
  return out;
}
