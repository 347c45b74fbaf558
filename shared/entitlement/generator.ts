/**
 * Deterministic synthetic enterprises for tests, demos and benchmarks: the same seed gives the same
 * profiles and credit records, byte for byte. Proportions are rough but realistic for a Chinese district
 * (mostly micro enterprises, few exporters, a few dishonest), and some fields are missing so that
 * NEEDS_INFO happens. Fast enough for a million profiles in a few seconds.
 */
import type { CreditRecord, EnterpriseProfile, EnterpriseSize, Instant, TaxCreditRating } from './types';

/** A seeded PRNG (mulberry32): uniform in [0, 1). */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// GB 32100-2015: the 18th character of a unified social credit code.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Character code → value in USCC_CHARSET, −1 when not allowed (a table: this runs 17× per code). */
const USCC_VALUE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < USCC_CHARSET.length; i++) t[USCC_CHARSET.charCodeAt(i)] = i;
  return t;
})();

/** The check character for the first 17 characters of a credit code; undefined if any is not allowed. */
export function usccCheckCharacter(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_VALUE[first17.charCodeAt(i)] ?? -1;
    if (v < 0) return undefined;
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

export function isValidUscc(code: string): boolean {
  return code.length === 18 && usccCheckCharacter(code.slice(0, 17)) === code[17];
}

// GB 11714: the 9th character of the organisation code embedded at positions 9–17.
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function orgCode(body: number): string {
  let digits = String(body).padStart(8, '0');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  digits += c === 10 ? 'X' : c === 11 ? '0' : String(c);
  return digits;
}

/** An enterprise (登记管理部门 9 工商, 类别 1 企业) credit code for a district and an organisation number. */
export function enterpriseCreditCode(districtCode: string, orgNumber: number): string {
  const first17 = `91${districtCode}${orgCode(orgNumber % 100_000_000)}`;
  return first17 + usccCheckCharacter(first17)!;
}

export interface District {
  readonly code: string;
  readonly name: string;
}

export const DEFAULT_DISTRICTS: readonly District[] = [
  { code: '440103', name: '广州市荔湾区' },
  { code: '440104', name: '广州市越秀区' },
  { code: '440105', name: '广州市海珠区' },
  { code: '440106', name: '广州市天河区' },
  { code: '440111', name: '广州市白云区' },
  { code: '440112', name: '广州市黄埔区' },
  { code: '440113', name: '广州市番禺区' },
  { code: '440114', name: '广州市花都区' },
  { code: '440115', name: '广州市南沙区' },
  { code: '440303', name: '深圳市罗湖区' },
  { code: '440304', name: '深圳市福田区' },
  { code: '440305', name: '深圳市南山区' },
  { code: '440306', name: '深圳市宝安区' },
  { code: '440307', name: '深圳市龙岗区' },
];

/** 国民经济行业门类 with a rough share of enterprises and a word for the company name. */
const INDUSTRIES: readonly (readonly [string, number, string])[] = [
  ['批发和零售业', 0.34, '贸易'],
  ['租赁和商务服务业', 0.14, '商务服务'],
  ['制造业', 0.12, '制造'],
  ['科学研究和技术服务业', 0.09, '技术'],
  ['信息传输、软件和信息技术服务业', 0.07, '信息科技'],
  ['建筑业', 0.06, '建设工程'],
  ['住宿和餐饮业', 0.05, '餐饮管理'],
  ['交通运输、仓储和邮政业', 0.04, '物流'],
  ['房地产业', 0.03, '置业'],
  ['居民服务、修理和其他服务业', 0.03, '家政服务'],
  ['文化、体育和娱乐业', 0.03, '文化传播'],
];

const SYLLABLES = '华信达瑞源恒泰隆盛鑫宏博创嘉汇丰安越德兴科金海天明广联通中星润启航新智远腾凯'.split('');

const SIZE_SHARES: readonly (readonly [EnterpriseSize, number])[] = [
  ['micro', 0.78],
  ['small', 0.17],
  ['medium', 0.04],
  ['large', 0.01],
];
const EMPLOYEES: Record<EnterpriseSize, readonly [number, number]> = {
  micro: [1, 19],
  small: [20, 99],
  medium: [100, 999],
  large: [1000, 20000],
};
/** Export value range in USD for an exporter of each size. */
const EXPORTS: Record<EnterpriseSize, readonly [number, number]> = {
  micro: [5_000, 2_000_000],
  small: [50_000, 9_000_000],
  medium: [1_000_000, 60_000_000],
  large: [10_000_000, 800_000_000],
};
const EXPORTER_SHARE: Record<EnterpriseSize, number> = { micro: 0.05, small: 0.12, medium: 0.25, large: 0.4 };
const TAX_RATINGS: readonly (readonly [TaxCreditRating, number])[] = [
  ['A', 0.2],
  ['B', 0.55],
  ['M', 0.15],
  ['C', 0.06],
  ['D', 0.04],
];

export interface GeneratorOptions {
  /** The profiles' `asOf` (default 2025-01-01T00:00:00+08:00). */
  readonly asOf?: Instant;
  readonly districts?: readonly District[];
  /** Share of profiles missing each of employees, exportValueUsd and taxCreditRating (default 0.02). */
  readonly missingRate?: number;
  /** Share with a credit record (default 0.15). */
  readonly creditRecordRate?: number;
  /** Share of all enterprises marked dishonest 失信 (default 0.01). */
  readonly dishonestRate?: number;
  /** Share deregistered (注销) or revoked (吊销) (default 0.04). */
  readonly closedRate?: number;
}

export interface GeneratedEnterprises {
  readonly profiles: EnterpriseProfile[];
  /** Credit records by credit code. */
  readonly credits: Map<string, CreditRecord>;
}

function pick<T>(table: readonly (readonly [T, number, ...unknown[]])[], r: number): readonly [T, number, ...unknown[]] {
  let acc = 0;
  for (const row of table) {
    acc += row[1];
    if (r < acc) return row;
  }
  return table[table.length - 1]!;
}

/** Logarithmic spread: most values near the low end, as with real employee counts and export values. */
function logBetween(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return Math.round(lo * Math.pow(hi / lo, rng()));
}

/**
 * `count` enterprises with valid, unique credit codes (unique for up to 10^8 enterprises: the
 * organisation number is a bijection of the index) and their credit records.
 */
export function generateEnterprises(count: number, seed: number, options: GeneratorOptions = {}): GeneratedEnterprises {
  const rng = createRng(seed);
  const asOf = options.asOf ?? '2025-01-01T00:00:00+08:00';
  const districts = options.districts ?? DEFAULT_DISTRICTS;
  const missing = options.missingRate ?? 0.02;
  const creditRate = options.creditRecordRate ?? 0.15;
  const dishonestRate = Math.min(options.dishonestRate ?? 0.01, creditRate);
  const closedRate = options.closedRate ?? 0.04;
  const orgOffset = Math.floor(rng() * 100_000_000);
  const profiles: EnterpriseProfile[] = new Array(count);
  const credits = new Map<string, CreditRecord>();

  for (let i = 0; i < count; i++) {
    const district = districts[Math.floor(rng() * districts.length)]!;
    // 7_654_321 is coprime with 10^8, so i ↦ i·k + offset (mod 10^8) never repeats.
    const creditCode = enterpriseCreditCode(district.code, (i * 7_654_321 + orgOffset) % 100_000_000);
    const size = pick(SIZE_SHARES, rng())[0];
    const industry = pick(INDUSTRIES, rng());
    const employees = logBetween(rng, EMPLOYEES[size]);
    const exporter = rng() < EXPORTER_SHARE[size];
    const exportValueUsd = exporter ? logBetween(rng, EXPORTS[size]) : 0;
    const closed = rng();
    const status = closed < closedRate * 0.75 ? '注销' : closed < closedRate ? '吊销' : '存续';
    const taxCreditRating = pick(TAX_RATINGS, rng())[0];
    const year = 1995 + Math.floor(rng() * 30);
    const month = 1 + Math.floor(rng() * 12);
    const day = 1 + Math.floor(rng() * 28);
    const name =
      district.name.slice(0, 2) +
      SYLLABLES[Math.floor(rng() * SYLLABLES.length)]! +
      SYLLABLES[Math.floor(rng() * SYLLABLES.length)]! +
      (industry[2] as string) +
      '有限公司';
    const gaps = rng();
    profiles[i] = {
      creditCode,
      name,
      asOf,
      size,
      industry: industry[0],
      region: district.code,
      status,
      // Missing fields stay present as undefined so every profile has the same shape (fast matching).
      employees: gaps < missing ? undefined : employees,
      exportValueUsd: gaps >= missing && gaps < 2 * missing ? undefined : exportValueUsd,
      taxCreditRating: gaps >= 2 * missing && gaps < 3 * missing ? undefined : taxCreditRating,
      establishedOn: `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`,
    };
    const c = rng();
    if (c < creditRate) {
      const dishonest = c < dishonestRate;
      const r = rng();
      credits.set(creditCode, {
        subjectId: creditCode,
        asOf,
        rating: dishonest ? 'D' : r < 0.4 ? 'A' : r < 0.85 ? 'B' : r < 0.97 ? 'C' : 'D',
        dishonest,
        falseCommitment: !dishonest && r > 0.99,
      });
    }
  }
  return { profiles, credits };
}
