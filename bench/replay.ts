/**
 * 沙盘推演 replay (100,000 stored applications against a draft in at most a minute locally).
 * Stored first decisions are made as the approval consumer makes them — decide() over generated
 * applications of one item — and kept in their stored form: the version item's `bodyZ` (the decision and
 * the facts it saw, packed in one stream). The timed part is what a simulation slice does per
 * application after its DynamoDB reads: decode the decision and its facts, replay against a draft (a
 * tightened threshold) and tally. Compared with the rules engine's own rate (the draft's compiled rules
 * evaluated over the same facts) and with decide() itself. One core; the DynamoDB reads are not in it.
 */
import { createCalendar } from '#calendar';
import { decide } from '#approval/domain/decide';
import type { Decision } from '#approval/domain/decision';
import { factsOf, type DecisionFacts } from '#approval/domain/replay';
import { ruleFacts } from '#approval/domain/rules';
import type { Application, Licence, ServiceItem } from '#approval/domain/types';
import { decodeVersion, encodeBody } from '#approval/store/items';
import { makeCreditCode } from '#contract/identifiers';
import { compileCondition } from '#rules/compile';
import type { Replayable } from '#approval';
import { mergeTallies, resultOf, type SliceTally } from '#simulation/domain/item-result';
import { tallySlice } from '#simulation/domain/tally';
import type { BenchContext, Missed, SectionResult } from './types';
import { median, ratio, si, table, tick } from './util';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const NOW = '2026-11-05T06:30:00.000Z';
const AIM_MS = 60_000;

const leaf = (id: string, description: string, fact: string, op: string, value: unknown) => ({ id, description, fact, op, value }) as never;
const published: ServiceItem = {
  itemCode: 'CG-0107',
  name: '在城市建筑物、设施上悬挂、张贴宣传品审批',
  departmentCode: '440305-CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays: 3,
  legalDays: 20,
  materials: [
    { code: 'M-LICENCE', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'B' },
    { code: 'M-DESIGN', name: '宣传品设计样稿及设置位置说明', declared: true },
  ],
  rules: {
    all: [
      leaf('R-CG-AREA', '宣传品面积不超过20平方米', 'form.areaSqm', 'lte', 20),
      leaf('R-CG-DURATION', '悬挂、张贴期限为1至30日', 'form.durationDays', 'between', [1, 30]),
      { not: leaf('R-CG-LOCATION', '设置位置属于文物保护单位或历史风貌区', 'form.locationType', 'in', ['文物保护单位', '历史风貌区']) },
      leaf('R-CG-LICENCE', '营业执照登记状态为存续', 'licence.营业执照.status', 'eq', '存续'),
      leaf('R-CG-SAFETY', '设施通过安全检查', 'applicant.safetyChecked', 'eq', true),
    ],
  },
  certificateType: '户外宣传品设置许可决定书',
  version: 3,
  active: true,
};
const draft: ServiceItem = {
  ...published,
  rules: { all: [leaf('R-CG-AREA', '宣传品面积不超过10平方米', 'form.areaSqm', 'lte', 10), ...(published.rules as { all: never[] }).all.slice(1)] },
};

interface Stored {
  readonly bodyZ: Uint8Array;
}

function applicationOf(i: number): { facts: DecisionFacts } {
  const id = makeCreditCode(`91440300${String(i % 50_000).padStart(9, '0')}`);
  const application: Application = {
    applicationId: `SQ-${String(i).padStart(7, '0')}`,
    itemCode: published.itemCode,
    applicant: { kind: 'enterprise', id, name: `深圳市样本${i % 50_000}科技有限公司` },
    form: {
      ...(i % 11 === 0 ? {} : { areaSqm: (i * 7) % 26 }),
      durationDays: (i * 13) % 35,
      locationType: i % 17 === 0 ? '历史风貌区' : '商业建筑外墙',
      location: `南山区科苑路${i % 300}号`,
      content: '开业宣传横幅',
    },
    materials: [
      { code: 'M-LICENCE', licenceNo: `YYZZ-${i}` },
      { code: 'M-DESIGN', provided: true },
    ],
    channel: i % 3 === 0 ? 'window' : 'web',
    submittedAt: '2026-11-05T06:29:58.000Z',
  };
  const licence: Licence = {
    licenceNo: `YYZZ-${i}`,
    licenceType: '营业执照',
    holderId: id,
    issuer: '深圳市市场监督管理局',
    issuedAt: '2021-03-01T00:00:00+08:00',
    validUntil: '2041-02-28',
    trustLevel: 'A',
    attributes: { status: i % 23 === 0 ? '吊销' : '存续', legalRepresentative: '张三' },
  };
  const profile = { name: application.applicant.name, size: 'small', region: '440305', ...(i % 5 === 0 ? {} : { safetyChecked: i % 9 !== 0 }) };
  return { facts: factsOf({ application, licences: [licence], profile, now: NOW }) };
}

function store(i: number): { stored: Stored; decision: Decision } {
  const { facts } = applicationOf(i);
  const decision = decide({ ...facts, item: published, calendar });
  const body = encodeBody(decision, facts);
  if (!('bodyZ' in body)) throw new Error('bench: expected a packed decision body');
  return { stored: { bodyZ: body.bodyZ }, decision };
}

export async function replaySection(ctx: BenchContext): Promise<SectionResult> {
  const n = ctx.quick ? 20_000 : 100_000;
  const slices = 16;
  const genStart = performance.now();
  const stored: Stored[] = [];
  let packedBytes = 0;
  for (let i = 0; i < n; i++) {
    const s = store(i).stored;
    stored.push(s);
    packedBytes += s.bodyZ.length;
    if (i % 5000 === 0) {
      ctx.progress((0.5 * i) / n, `storing ${si(i)}`);
      await tick();
    }
  }
  const genMs = performance.now() - genStart;

  // The timed replay: decode each stored decision and its facts, replay against the draft, tally per slice.
  let decodeMs = 0;
  let replayMs = 0;
  const tallies: SliceTally[] = [];
  const per = Math.ceil(n / slices);
  const draftRef = { draftId: 'bench-draft', item: draft };
  // The baseline: the published version the stored decisions were made under, decided again as the draft is.
  const baseline = new Map([[published.version, published]]);
  for (let s = 0; s < slices; s++) {
    const t0 = performance.now();
    const entries: Replayable[] = stored.slice(s * per, (s + 1) * per).map((item, k) => {
      const { decision, facts } = decodeVersion(item as unknown as Record<string, unknown>);
      return { applicationId: `#${s * per + k}`, decision, facts: facts! };
    });
    const t1 = performance.now();
    tallies.push(tallySlice(entries, draftRef, calendar, baseline));
    const t2 = performance.now();
    decodeMs += t1 - t0;
    replayMs += t2 - t1;
    ctx.progress(0.5 + (0.35 * (s + 1)) / slices, `replaying slice ${s + 1}/${slices}`);
    await tick();
  }
  const result = resultOf(mergeTallies(tallies));
  if (result.replayed !== n) throw new Error(`bench: replayed ${result.replayed} of ${n}`);

  // The engine's own rate: the draft's compiled rules over the same rule facts (median of 3), and decide().
  const sample = Array.from({ length: Math.min(n, 20_000) }, (_, i) => applicationOf(i).facts);
  const ruleInputs = sample.map((f) => ruleFacts(f, new Map(f.licences.map((l) => [l.licenceType, l]))));
  const compiled = compileCondition(draft.rules, { timeZone: calendar.timeZone });
  const engine: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (const facts of ruleInputs) compiled.evaluate(facts);
    engine.push(performance.now() - t);
  }
  const engineRate = ruleInputs.length / (median(engine) / 1000);
  const d0 = performance.now();
  for (const facts of sample) decide({ ...facts, item: draft, calendar, rulesKey: 'bench-draft' });
  const decideRate = sample.length / ((performance.now() - d0) / 1000);
  ctx.progress(1, 'done');

  const totalMs = decodeMs + replayMs;
  const rate = n / (totalMs / 1000);
  const missed: Missed[] = [];
  const projected = (totalMs * 100_000) / n;
  if (projected > AIM_MS) {
    missed.push({ aim: '100,000 stored applications replayed in at most a minute', result: `${(projected / 1000).toFixed(1)} s (one core)`, limit: 'decide() per application (materials, licences, trace): see the decide() rate' });
  }
  const regressions = result.regressions.length;
  return {
    id: 'replay',
    title: '沙盘推演: replaying stored decisions against a draft',
    body: [
      `${si(n)} first decisions of \`CG-0107\` (five rules, an e-licence material) made by \`decide()\` and kept in their stored form`,
      `(generated in ${(genMs / 1000).toFixed(1)} s; the decision and its facts average ${Math.round(packedBytes / n)} bytes packed). Replayed on`,
      `one core in ${slices} slices as the simulation worker does after its reads: unpack the decision and its facts`,
      '(one raw inflate with the preset dictionary), `replay()` against a draft that tightens the area threshold, tally; the',
      'slices merged. DynamoDB reads are not included (locally they are the query of the byItem shard and BatchGetItem,',
      '100 keys a call). The rules engine\'s own rate is the draft\'s compiled condition evaluated over the same rule facts.',
      '',
      table(
        ['step', 'time', 'applications/s'],
        [
          ['decode decision + facts', `${Math.round(decodeMs)} ms`, si(n / (decodeMs / 1000))],
          ['replay + tally', `${Math.round(replayMs)} ms`, si(n / (replayMs / 1000))],
          ['**whole replay**', `**${(totalMs / 1000).toFixed(2)} s**`, `**${si(rate)}**`],
          ['rules engine only (compiled draft rules)', `${Math.round(median(engine))} ms for ${si(ruleInputs.length)}`, si(engineRate)],
          ['decide() only (draft)', '', si(decideRate)],
        ],
      ),
      '',
      `Result: ${result.transitions.map((t) => `${t.from} → ${t.to} ${t.count.toLocaleString('en')}`).join('; ')}; ${regressions.toLocaleString('en')} regressions;`,
      `秒批率 ${(100 * (result.instantApprovalRate.baseline ?? 0)).toFixed(1)} % → ${(100 * (result.instantApprovalRate.projected ?? 0)).toFixed(1)} %.`,
      `The whole replay runs at ${ratio(engineRate / rate)} below the engine's own rate: the rest is the decision around the rules`,
      '(items, credit, materials and licences, the trace) and decoding what was stored.',
    ].join('\n'),
    headlines: [
      `沙盘推演: ${si(n)} stored decisions replayed against a draft in ${(totalMs / 1000).toFixed(1)} s on one core (${si(rate)}/s; aim: 100 k in 60 s); the rules engine alone ${si(engineRate)}/s`,
    ],
    missed,
  };
}
