/**
 * The conditions the rules benchmark runs: every sample item's rules, every sample policy's
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

/**
 * What shape of condition: flat (one `all` of simple leaves), with a date leaf against `now` (ages, dates
 * before now), or nested `any`/`all`/`not` (with a date leaf). The closure aim is judged per family.
 */
export type Family = 'flat' | 'dates' | 'nested';

export interface BenchCondition {
  readonly name: string;
  readonly kind: 'item' | 'policy' | 'synthetic';
  readonly family: Family;
  readonly condition: Condition;
  /** Facts where every path the condition reads is present (the peers are two-valued). */
  readonly facts: Facts[];
  /** Facts with some paths missing: only CivicFlow and the closure are compared on these (unknown). */
  readonly partialFacts: Facts[];
  /**
   * Fact sets shaped like real data, for CivicFlow against the closure: many (more than any cache holds),
   * facts missing at real rates, objects of several shapes (see `realShaped`). Empty unless asked for.
   */
  readonly population: Facts[];
  readonly closure: (f: any) => Truth;
}

// --- tiny three-valued helpers a hand-writer would inline --------------------------------------------
const U = null;
const num = (v: unknown): v is number => typeof v === 'number' && v === v;
/**
 * y*10000+m*100+d of a date-only string ("YYYY-MM-DD"), or NaN when it is not a real calendar date, as
 * the engine refuses one (a refused date leaves its leaf unknown). Read digit by digit in place, as a
 * person tuning a hot loop would: no slice, no allocation, and a month's length looked up only for a
 * day past the 28th.
 */
function packedDay(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y0 = s.charCodeAt(0) - 48;
  const y1 = s.charCodeAt(1) - 48;
  const y2 = s.charCodeAt(2) - 48;
  const y3 = s.charCodeAt(3) - 48;
  const m0 = s.charCodeAt(5) - 48;
  const m1 = s.charCodeAt(6) - 48;
  const d0 = s.charCodeAt(8) - 48;
  const d1 = s.charCodeAt(9) - 48;
  // Unsigned, anything but a digit is above 9.
  if ((y0 >>> 0) > 9 || (y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 || (m0 >>> 0) > 9 || (m1 >>> 0) > 9 || (d0 >>> 0) > 9 || (d1 >>> 0) > 9) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (m < 1 || m > 12 || d < 1) return NaN;
  if (d > 28 && d > (m === 2 ? (leap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31)) return NaN;
  return y * 10000 + m * 100 + d;
}
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Every fact set of a run carries the same `now`, so the closures read its date once per distinct string,
 * as CivicFlow's engine does (`scanNow`): one remembered string and its packed date. The product's
 * clock writes `now` as an instant at the bureau's own offset, so its date as written is the local date
 * (an instant at another offset is not handled here; the bench has none). Every other date of the facts
 * is date-only: a profile's birth date by contract, a form's date as typed.
 */
let nowSeen: unknown;
let nowPacked = NaN;
function today(now: unknown): number {
  if (now !== nowSeen) {
    nowSeen = now;
    nowPacked = typeof now !== 'string' ? NaN : now.length === 10 ? packedDay(now) : packedDay(now.slice(0, 10));
  }
  return nowPacked;
}

/**
 * Whether a person born on `birth` has `years` completed years on the date of `now`: packed dates differ
 * by at least years × 10000 exactly then. One born on 29 February is a year older on 28 February of a
 * common year (the month's last day), so that birthday counts as the 28th in such a year.
 */
function ageAtLeast(birth: unknown, now: unknown, years: number): Truth {
  if (typeof birth !== 'string') return U;
  const n = today(now);
  let b = packedDay(birth);
  if (n !== n || b !== b) return U;
  if (b % 10000 === 229 && !leap(Math.floor(n / 10000))) b -= 1;
  return n - b >= years * 10000;
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

/**
 * Each closure tests its leaves in order of selectivity on real-shaped facts (the leaf most often false
 * first, measured on the bench's population), returning as soon as the answer is known: the closure a
 * person would write knowing the data, and the limit CivicFlow is judged against. CivicFlow evaluates
 * leaves in the order the condition is written.
 */
export const CLOSURES: Record<string, (f: any) => Truth> = {
  'item:enterprise-startup-manual': (f) => {
    const n = f.form?.enterpriseName;
    if (n === undefined || n === null) return false;
    return ageAtLeast(f.applicant?.birthDate, f.now, 18);
  },
  'item:no-criminal-record': (f) => {
    const r2 = in4(f.form?.purpose, '就业', '入学', '出国(境)', '资质申请');
    if (r2 === false) return false;
    const r1 = ageAtLeast(f.applicant?.birthDate, f.now, 16);
    return r1 === false ? false : r1 === null || r2 === null ? U : true;
  },
  'item:outdoor-advertising': (f) => {
    const form = f.form;
    const r3 = not(in2(form?.locationType, '文物保护单位', '历史风貌区'));
    if (r3 === false) return false;
    const area = form?.areaSqm;
    const r1: Truth = num(area) ? area <= 20 : U;
    if (r1 === false) return false;
    const d = form?.durationDays;
    const r2: Truth = num(d) ? d >= 1 && d <= 30 : U;
    if (r2 === false) return false;
    const r4 = eqS(f.licence?.['营业执照']?.status, '存续');
    return and(r1, r2, r3, r4);
  },
  'item:weather-certificate': (f) => {
    const e = f.form?.eventDate;
    // A form's date is whatever the applicant typed: a string that is no real date leaves the leaf unknown.
    const day = typeof e === 'string' ? packedDay(e) : NaN;
    const n = today(f.now);
    const r2: Truth = day !== day || n !== n ? U : day < n;
    if (r2 === false) return false;
    const r3 = eqS(f.form?.district, '南山区');
    if (r3 === false) return false;
    const p = f.form?.purpose;
    if (p === undefined || p === null) return false;
    return r2 === null || r3 === null ? U : true;
  },
  'policy:POL-EXPORT-CREDIT-INSURANCE': (f) => {
    const e = f.enterprise;
    const x = e?.exportValueUsd;
    const r2: Truth = num(x) ? x > 0 : U;
    if (r2 === false) return false;
    const r4 = eqS(e?.status, '存续');
    if (r4 === false) return false;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const r3: Truth = num(x) ? x <= 6_000_000 : U;
    return and(r1, r2, r3, r4);
  },
  'policy:POL-DISABILITY-LEVY-EXEMPTION': (f) => {
    const e = f.enterprise;
    const r2 = eqS(e?.status, '存续');
    if (r2 === false) return false;
    const n = e?.employees;
    const r1: Truth = num(n) ? n <= 30 : U;
    return and(r1, r2);
  },
  'policy:POL-SOCIAL-INSURANCE-SUBSIDY': (f) => {
    const e = f.enterprise;
    const r3 = eqS(e?.status, '存续');
    if (r3 === false) return false;
    const n = e?.employees;
    const r2: Truth = num(n) ? n >= 3 : U;
    if (r2 === false) return false;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const t = e?.taxCreditRating;
    const r4: Truth = t === 'D' ? false : typeof t === 'string' ? true : U;
    return and(r1, r2, r3, r4);
  },
  'policy:POL-SMALL-BUSINESS-TAX-RELIEF': (f) => {
    const e = f.enterprise;
    const r3 = eqS(e?.status, '存续');
    if (r3 === false) return false;
    const r1 = in2(e?.size, 'micro', 'small');
    if (r1 === false) return false;
    const r4 = not(eqS(e?.taxCreditRating, 'D'));
    if (r4 === false) return false;
    const n = e?.employees;
    const r2: Truth = num(n) ? n <= 300 : U;
    return and(r1, r2, r3, r4);
  },
  'policy:disability-fund-exemption': (f) => {
    const n = f.enterprise?.employees;
    return num(n) ? n <= 30 : U;
  },
  'policy:export-credit-insurance': (f) => {
    const e = f.enterprise;
    const r3 = eqS(e?.status, 'active');
    if (r3 === false) return false;
    const r1 = in2(e?.size, 'small', 'micro');
    if (r1 === false) return false;
    const x = e?.exportValueUsd;
    const r2: Truth = num(x) ? x <= 6_000_000 : U;
    return and(r1, r2, r3);
  },
  'policy:social-insurance-subsidy': (f) => {
    const e = f.enterprise;
    const r2 = eqS(e?.status, 'active');
    if (r2 === false) return false;
    const d = f.credit?.dishonest;
    const r4: Truth = d === true ? false : typeof d === 'boolean' ? true : U;
    if (r4 === false) return false;
    const r3 = in3(e?.taxCreditRating, 'A', 'B', 'M');
    if (r3 === false) return false;
    const r1 = in2(e?.size, 'small', 'micro');
    return and(r1, r2, r3, r4);
  },
  'synthetic:deep': (f) => {
    const e = f.enterprise;
    // all[ active, any[ all[small|micro, employees 3..300, any[exporter ≤ 6M, industry tech]], all[medium, rating A|B] ],
    //      not any[ dishonest, rating in C,D ], any[ region Shenzhen, all[established before 2015, not 注销] ],
    //      all[ any[ employees ≥ 10, exports > 1M ], not eq size large ] ]
    // Tested as: fit (false for 68 %), active (49 %), size2 (48 %), place (22 %), clean (3 %).
    const size = e?.size;
    const n = e?.employees;
    const x = e?.exportValueUsd;
    const fit = fitOf(e, size, n, x);
    if (fit === false) return false;
    const status = e?.status;
    const active = eqS(status, '存续');
    if (active === false) return false;
    const big = or(num(n) ? n >= 10 : U, num(x) ? x > 1_000_000 : U);
    if (big === false) return false;
    const notLarge = not(eqS(size, 'large'));
    if (notLarge === false) return false;
    const place = placeOf(e, status);
    if (place === false) return false;
    const c = f.credit;
    const d = c?.dishonest;
    if (d === true) return false;
    const rating = in2(c?.rating, 'C', 'D');
    if (rating === true) return false;
    const clean = not(or(typeof d === 'boolean' ? false : U, rating));
    return fit === null || active === null || big === null || notLarge === null || place === null || clean === null ? U : true;
  },
};

// The 统保 sample with a publicity window has the same criteria as the export-credit-insurance sample.
CLOSURES['policy:export-insurance-publicity'] = CLOSURES['policy:export-credit-insurance']!;

/** The deep condition's `any` of two size branches (the first true for 12 %, the second for 2.5 %). */
function fitOf(e: any, size: unknown, n: unknown, x: unknown): Truth {
  // Branch 1: all[ any[exporter ≤ 6M, tech] (false for 65 %), employees 3..300, small|micro ].
  let b1: Truth;
  const exporter: Truth = num(x) ? x > 0 && x <= 6_000_000 : U;
  const trade = exporter === true ? true : or(exporter, in2(e?.industry, '科学研究和技术服务业', '信息传输、软件和信息技术服务业'));
  if (trade === false) b1 = false;
  else {
    const band: Truth = num(n) ? n >= 3 && n <= 300 : U;
    b1 = band === false ? false : and(trade, band, in2(size, 'small', 'micro'));
  }
  if (b1 === true) return true;
  const medium = eqS(size, 'medium');
  const b2 = medium === false ? false : and(medium, in2(e?.taxCreditRating, 'A', 'B'));
  return or(b1, b2);
}

/** any[ region in Shenzhen, all[ established before 2015, not 注销 ] ]. */
function placeOf(e: any, status: unknown): Truth {
  const sz = in4(e?.region, '440303', '440304', '440305', '440306');
  if (sz === true) return true;
  const est = e?.establishedOn;
  const old: Truth = typeof est === 'string' && est.length === 10 ? est < '2015-01-01' : U;
  return or(sz, old === false ? false : and(old, not(eqS(status, '注销'))));
}

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

/** Share of each optional leaf missing in real-shaped facts (a field an upstream system did not send). */
const MISSING_LEAF = 0.06;
/** Identity fields a record always has: a profile without its credit code is not a profile. */
const NEVER_MISSING: ReadonlySet<string> = new Set(['creditCode', 'name', 'asOf', 'subjectId']);
/** How many key orders real-shaped objects come in (different upstream systems write fields in their order). */
const KEY_ORDERS = 3;

/**
 * A fact set as real data has it: every nested object rebuilt in one of a few key orders (each a hidden
 * class of its own, so a call site sees several), each leaf but `now` missing with MISSING_LEAF, and the
 * objects fresh (no sharing between fact sets, so a large population does not sit in the cache).
 */
export function realShaped(rng: Rng, facts: Facts, keep: ReadonlySet<string> = NEVER_MISSING): Facts {
  const order = Math.floor(rng() * KEY_ORDERS);
  const rebuild = (o: Record<string, unknown>, top: boolean): Record<string, unknown> => {
    const keys = Object.keys(o);
    if (order === 1) keys.reverse();
    else if (order === 2 && keys.length > 1) keys.push(keys.shift()!);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = o[k];
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = rebuild(v as Record<string, unknown>, false);
      else if (top || keep.has(k) || rng() >= MISSING_LEAF) out[k] = v;
    }
    return out;
  };
  return rebuild(facts as Record<string, unknown>, true) as Facts;
}

/**
 * Enterprise facts as the match function sees them: 5 % of optional fields missing in the registry, a
 * credit record for 15 % only (the rest have none), several shapes.
 */
function policyPopulation(count: number, seed: number): Facts[] {
  const { profiles, credits } = generateEnterprises(count, seed, { missingRate: 0.05 });
  const rng = createRng(seed + 2);
  return profiles.map((p) => {
    const status = p.status === '存续' && rng() < 0.5 ? 'active' : p.status;
    const credit = credits.get(p.creditCode);
    return realShaped(rng, { enterprise: { ...p, status }, ...(credit ? { credit: { ...credit } } : {}), now: NOW });
  });
}

/** The family of a condition: nested when an `any` or `not` sits anywhere, else dates when a leaf reads `now`. */
export function familyOf(c: Condition): Family {
  const walk = (x: Condition): { nested: boolean; dates: boolean } => {
    if ('op' in x) return { nested: false, dates: x.op === 'ageAtLeast' || x.op === 'before' || x.op === 'after' };
    const parts = 'not' in x ? [x.not] : 'all' in x ? x.all : x.any;
    const inner = parts.map(walk);
    return { nested: !('all' in x) || inner.some((i) => i.nested), dates: inner.some((i) => i.dates) };
  };
  const w = walk(c);
  return w.nested ? 'nested' : w.dates ? 'dates' : 'flat';
}

/**
 * The bench's conditions with their facts: `factsPerCondition` complete fact sets (for the peers), the
 * same with one hole each, and `populationSize` real-shaped fact sets (0: none).
 */
export function loadConditions(factsPerCondition = 256, seed = 20261103, populationSize = 0): BenchCondition[] {
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
    const population = Array.from({ length: populationSize }, () => realShaped(rng, gen(rng)));
    const condition = event.data.rules;
    out.push({ name, kind: 'item', family: familyOf(condition), condition, facts, partialFacts: facts.map((f) => withHole(rng, f)), population, closure: CLOSURES[name]! });
  }
  const enterpriseFacts = policyFacts(factsPerCondition, seed);
  const partial = enterpriseFacts.map((f) => withHole(rng, f));
  const population = populationSize > 0 ? policyPopulation(populationSize, seed + 1) : [];
  const policies: Array<[string, Condition]> = SAMPLE_POLICIES.map((p) => [`policy:${p.policyId}`, p.criteria]);
  const policyDir = join(ROOT, 'events/samples/gov.policy.published');
  for (const file of readdirSync(policyDir).filter((f) => f.endsWith('.json')).sort()) {
    const event = JSON.parse(readFileSync(join(policyDir, file), 'utf8')) as { data: { criteria: Condition; subjectKind?: string } };
    // These conditions are evaluated over enterprise facts: a person policy's sample is not one of them.
    if (event.data.subjectKind === 'person') continue;
    policies.push([`policy:${file.replace(/\.json$/, '')}`, event.data.criteria]);
  }
  for (const [name, condition] of policies) {
    if (!CLOSURES[name]) throw new Error(`bench: no hand-written closure for ${name}`);
    out.push({ name, kind: 'policy', family: familyOf(condition), condition, facts: enterpriseFacts, partialFacts: partial, population, closure: CLOSURES[name]! });
  }
  out.push({
    name: 'synthetic:deep',
    kind: 'synthetic',
    family: familyOf(DEEP_CONDITION),
    condition: DEEP_CONDITION,
    facts: enterpriseFacts,
    partialFacts: partial,
    population,
    closure: CLOSURES['synthetic:deep']!,
  });
  return out;
}
