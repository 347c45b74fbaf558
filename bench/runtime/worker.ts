/**
 * One runtime scenario in a fresh process (the functions' SDK clients and configuration are module-level,
 * so each scenario gets its own process): starts the local runtime in-process with the meters installed,
 * runs the scenario, prints `@@progress f label` lines on stderr and one `@@result {json}` line on stdout.
 *
 *   node --import tsx bench/runtime/worker.ts <pipeline|publish|cost|ingest> '<json options>'
 */
import { readFileSync, readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BatchWriteItemCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startRuntime, type Runtime } from '#local/runtime';
import { stageConfig } from '#topology/stages';
import { env } from '#topology';
import { devKey, signedHeaders } from '#auth/signature';
import { setClockOffset } from '#platform/clock';
import { groupCommitTotals } from '#platform/group-commit';
// The pure domain, not the capability's index: the index loads the store, and with it the SDK clients, which
// read their endpoints at import — before startRuntime has set them.
import { matchSlice, type EnterpriseProfile } from '#entitlement/domain/index';
import { recordsBySource, withApplicantOfItsOwn, type BenchEvent, type ClonedApplicant, type RegistrySamples } from '#bench/fixtures/applicants';
import { sampleEvents as samplesOf } from '#bench/fixtures/samples';
import { generateEnterprises } from '#bench/fixtures/enterprises';
import { EXPORT_CREDIT_INSURANCE } from '#bench/fixtures/policies';
import { sleep } from '#bench/util';
import { BUNDLE_COST_LABEL, bundleApplication, bundleSeed } from './bundle-load';
import { Meter } from './meter';
import { probePut, probeTable, PROBE_PAYLOAD, PROBE_TRANSACTION_ITEMS, replayAuditByCdc, replaySample, replayTransactionShapes, RequestSample } from './request-sample';

const CLOCK = '2026-11-06T12:00:00+08:00';
const meter = new Meter();
const progress = (f: number, label = '') => process.stderr.write(`@@progress ${f.toFixed(4)} ${label}\n`);
const errors: string[] = [];

type Ev = BenchEvent;

const sampleEvents = (type: string) => samplesOf<Ev>(type);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const six = (n: number) => String(n).padStart(6, '0');

let registrySamples: RegistrySamples | undefined;
/** Clones numbered across the whole scenario, so no two name the same applicant. */
let nextApplicant = 0;
/** A cloned application with an applicant of its own, whose records `seedApplicants` must post first. */
function ownApplicant(application: Ev): ClonedApplicant {
  registrySamples ??= {
    persons: sampleEvents('gov.person.profile.updated').map((s) => s.event),
    enterprises: sampleEvents('gov.enterprise.profile.updated').map((s) => s.event),
    licences: sampleEvents('gov.licence.issued').map((s) => s.event),
    credits: sampleEvents('gov.credit.updated').map((s) => s.event),
  };
  return withApplicantOfItsOwn(application, nextApplicant++, registrySamples);
}

/** Posts the applicants' registry records (profiles, licences, credit) and waits for them: before anything is measured. */
async function seedApplicants(clones: readonly ClonedApplicant[], from = 0, to = 0): Promise<number> {
  const records = recordsBySource(clones);
  await postAll(records, 4, (n) => progress(from + ((to - from) * n) / records.length, `applicants' records: ${n}/${records.length}`));
  await drain('seeding the applicants\' records');
  // Not part of any measure: their latencies are not the day's.
  meter.posted.clear();
  meter.accepted.clear();
  return records.length;
}

function cloudEvent(source: string, type: string, id: string, data: unknown): Ev {
  return { specversion: '1.0', id, source, type, time: '2026-11-06T10:00:00+08:00', datacontenttype: 'application/json', data };
}

let rt: Runtime;

async function postBatch(batch: Ev[]): Promise<{ status: number; body: any }> {
  const as = batch[0]!.source;
  const body = JSON.stringify(batch);
  const t = performance.now();
  for (const e of batch) meter.posted.set(e.id, t);
  const res = await fetch(`${rt.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json', ...signedHeaders(as, devKey(as), 'POST', '/events', body) },
    body,
  });
  const out: { status: number; body: any } = { status: res.status, body: await res.json().catch(() => null) };
  const answered = performance.now();
  for (const e of batch) if (meter.posted.has(e.id)) meter.accepted.set(e.id, answered);
  meter.addInvocation('ingest', answered - t, batch.length);
  meter.sqsRequests['(HTTP API request)'] = (meter.sqsRequests['(HTTP API request)'] ?? 0) + 1;
  if (out.status !== 202 || out.body?.rejected?.length) throw new Error(`post refused: ${out.status} ${JSON.stringify(out.body).slice(0, 600)}`);
  return out;
}

/** Posts events in batches of up to 100 of one source, `concurrency` requests in flight. */
async function postAll(events: Ev[], concurrency = 4, onDone?: (n: number) => void): Promise<void> {
  const batches: Ev[][] = [];
  let current: Ev[] = [];
  for (const e of events) {
    if (current.length === 100 || (current.length > 0 && current[0]!.source !== e.source)) {
      batches.push(current);
      current = [];
    }
    current.push(e);
  }
  if (current.length) batches.push(current);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        await postBatch(b);
        done += b.length;
        onDone?.(done);
      }
    }),
  );
}

async function get(path: string): Promise<any> {
  const as = '/auditors/district';
  const res = await fetch(rt.url + path, { headers: signedHeaders(as, devKey(as), 'GET', path, '') });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function drain(what: string, timeoutMs = 600_000): Promise<void> {
  if (!(await rt.drain(timeoutMs))) throw new Error(`queues did not drain after ${what}: ${JSON.stringify(rt.queueDepths())}`);
}

function dlqTotal(): number {
  return Object.values(rt.queueDepths()).reduce((n, d) => n + d.dlq, 0);
}

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * A sample as sent on the bench's day: the edge refuses an asOf after the day of receipt, and two person
 * samples are as of 29 November, after CLOCK, so theirs is CLOCK's day.
 */
function sentByClock(e: Ev): Ev {
  const out = clone(e);
  const asOf = out.data?.asOf;
  if (typeof asOf === 'string' && (asOf.length === 10 ? asOf > CLOCK.slice(0, 10) : Date.parse(asOf) > Date.parse(CLOCK))) out.data.asOf = CLOCK.slice(0, 10);
  return out;
}

/** The reference data every scenario needs: the sample items, people, enterprise, licence, credit. */
async function seedReference(): Promise<void> {
  const types = ['gov.catalog.item.published', 'gov.person.profile.updated', 'gov.enterprise.profile.updated', 'gov.licence.issued', 'gov.credit.updated'];
  for (const t of types) for (const s of sampleEvents(t)) await postAll([{ ...sentByClock(s.event), id: `bench-seed-${s.event.id}` }], 1);
  await drain('seeding reference data');
}

function profileEvents(profiles: readonly EnterpriseProfile[], prefix: string): Ev[] {
  return profiles.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.enterprise.profile.updated', `bench-${prefix}-${i}`, plain(p)));
}

function policyEvent(policyId: string, id: string): Ev {
  const sample = sampleEvents('gov.policy.published').find((s) => s.name === 'export-credit-insurance')!.event;
  const data = { ...clone(sample.data), policyId, criteria: EXPORT_CREDIT_INSURANCE.criteria, validFrom: '2026-01-01', validTo: '2026-12-31' };
  delete data.budget;
  return { ...sample, id, data };
}

/** How many rounds of the day's interleaving (about 400 events each) a review follows its case by. */
const REVIEW_LAG_ROUNDS = 10;

/** A peak day: applications of every sample kind, completed cases and their reviews, profile updates. */
function peakDay(scale: { applications: number; cases: number; profiles: number }, profiles: readonly EnterpriseProfile[]) {
  const apps = sampleEvents('gov.application.submitted');
  const applications: Array<{ template: string; itemCode: string; event: Ev }> = [];
  const applicants: ClonedApplicant[] = [];
  for (let i = 0; i < scale.applications; i++) {
    const t = apps[i % apps.length]!;
    const e = clone(t.event);
    e.id = `bench-app-${i}`;
    e.data.applicationId = `SQ-20261106-${six(i)}`;
    const own = ownApplicant(e);
    applicants.push(own);
    applications.push({ template: t.name, itemCode: e.data.itemCode, event: own.application });
  }
  const caseSample = sampleEvents('gov.case.completed')[0]!.event;
  const reviewSample = sampleEvents('gov.review.submitted').find((s) => s.name === 'good-review')!.event;
  const badSample = sampleEvents('gov.review.submitted').find((s) => s.name === 'bad-review')!.event;
  const cases: Ev[] = [];
  const reviews: Ev[] = [];
  const levels: Record<number, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  for (let i = 0; i < scale.cases; i++) {
    const c = clone(caseSample);
    c.id = `bench-case-${i}`;
    c.data.caseId = `BJ-20261106-${six(i)}`;
    c.data.departmentCode = '440305-BENCH';
    cases.push(c);
    // Mostly good reviews, as in the reports: 5,5,4,5,3,5,4,5,2,1 …
    const level = [5, 5, 4, 5, 3, 5, 4, 5, 2, 1][i % 10]!;
    levels[level]!++;
    const r = clone(level <= 2 ? badSample : reviewSample);
    r.id = `bench-review-${i}`;
    r.data = { ...r.data, reviewId: `PJ-20261106-${six(i)}`, caseId: c.data.caseId, itemCode: c.data.itemCode, departmentCode: '440305-BENCH', staffId: c.data.staffId, reviewerId: c.data.applicantId, level, channel: c.data.channel, submittedAt: '2026-11-06T11:30:00+08:00' };
    reviews.push(r);
  }
  const profileEvs = profileEvents(profiles.slice(0, scale.profiles), 'ent');
  // Interleave the streams as a day's traffic would arrive, 100 events of each in turn. A citizen reviews a
  // service after it is done (the invitation follows the completion), minutes to days later: each review
  // comes REVIEW_LAG_ROUNDS rounds after its case, but 1 in 100 comes just before its case (out of order, as
  // an upstream system may deliver it: parked, then applied with the case).
  const early = (i: number) => i % 100 === 99;
  const caseStream = cases.flatMap((c, i) => (early(i) ? [reviews[i]!, c] : [c]));
  const laterReviews = reviews.filter((_, i) => !early(i));
  const streams = [applications.map((a) => a.event), caseStream, laterReviews, profileEvs];
  const startRound = [0, 0, REVIEW_LAG_ROUNDS, 0];
  const mixed: Ev[] = [];
  const idx = streams.map(() => 0);
  for (let round = 0; streams.some((s, k) => idx[k]! < s.length); round++) {
    for (const [k, s] of streams.entries()) {
      if (round < startRound[k]!) continue;
      for (let j = 0; j < 100 && idx[k]! < s.length; j++) mixed.push(s[idx[k]!++]!);
    }
  }
  return { applications, applicants, cases, reviews, levels, profiles: profileEvs.length, mixed };
}

/** CPU seconds used so far by this process and by its descendants (DynamoDB Local's JVM), from /proc. */
function cpuSeconds(): { node: number; standIns: number } {
  const hz = 100;
  const parentOf = new Map<number, number>();
  const cpu = new Map<number, number>();
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parentOf.set(Number(d), Number(f[1]));
        cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / hz);
      } catch {
        /* gone */
      }
    }
  } catch {
    return { node: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6, standIns: NaN };
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === process.pid) return true;
    return false;
  };
  let standIns = 0;
  for (const [pid, s] of cpu) if (isDescendant(pid)) standIns += s;
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1e6, standIns };
}

function percentiles(xs: number[]): Record<string, number> {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { count: s.length, p50: p(0.5), p90: p(0.9), p99: p(0.99), max: s[s.length - 1] ?? NaN };
}

// ---------------------------------------------------------------------------------------------------

/**
 * The stand-in's own single-item write rate, as the yardstick of the pipeline's: PutItem of one ~0.5 KB
 * item at a time (the size of an application's state item), 8 requests in flight, into a scratch table,
 * for `seconds`. Same process, same SDK, same machine as the pipeline that follows.
 */
async function rawWriteRate(seconds: number, tag: string): Promise<ProbeRate> {
  return itemsPerSecond(`bench-raw-writes-${tag}`, seconds, async (client, TableName, w, i) => {
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: `RAW#${w}#${i}` }, sk: { S: 'STATE' }, state: { S: 'APPROVED' }, payload: { S: PROBE_PAYLOAD } } }));
    return 1;
  });
}

/**
 * DynamoDB Local's rate of items written inside transactions: TransactWriteItems of 50 create-only puts of
 * ~0.5 KB (an approval batch's first decisions when the probe was set: 10 of 5 items; 4 each since
 * 7a9ea56, the probe kept so that runs compare), 8 in flight, as the raw write rate is measured
 * (before and after the day, the better of the two).
 */
async function transactionItemRate(seconds: number, tag: string): Promise<ProbeRate> {
  return itemsPerSecond(`bench-transaction-items-${tag}`, seconds, async (client, TableName, w, i) => {
    const TransactItems = Array.from({ length: PROBE_TRANSACTION_ITEMS }, (_, k) => probePut(TableName, `TX#${w}#${i}`, k));
    await client.send(new TransactWriteItemsCommand({ TransactItems }));
    return TransactItems.length;
  });
}

/** A probe's rate, and the stand-in's CPU while it ran: per item, and in cores (CPU seconds per second). */
interface ProbeRate {
  readonly rate: number;
  readonly jvmMsPerItem: number;
  readonly jvmCores: number;
}

/** The better of two probes of one kind (before and after the day), by rate. */
const better = (a: ProbeRate, b: ProbeRate): ProbeRate => (b.rate > a.rate ? b : a);

/**
 * Items written per second into a scratch table by 8 writers in flight for `seconds`, each sending the
 * request `write` makes for its turn and counting the items it says it wrote; the table is dropped after.
 */
async function itemsPerSecond(
  TableName: string,
  seconds: number,
  write: (client: DynamoDBClient, table: string, writer: number, turn: number) => Promise<number>,
): Promise<ProbeRate> {
  const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, maxAttempts: 10 });
  await probeTable(client, TableName);
  let items = 0;
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const cpu0 = cpuSeconds().standIns;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      while (performance.now() < until) {
        // Not `items += await …`: that reads `items` before the await and drops the other writers' counts.
        const written = await write(client, TableName, w, n++);
        items += written;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const jvm = cpuSeconds().standIns - cpu0;
  await client.send(new DeleteTableCommand({ TableName }));
  client.destroy();
  return { rate: items / wall, jvmMsPerItem: (jvm * 1000) / items, jvmCores: jvm / wall };
}

async function pipeline(opts: { applications: number; cases: number; profiles: number }) {
  const { profiles } = generateEnterprises(opts.profiles, 20261106, { asOf: '2026-11-01T00:00:00+08:00' });
  await seedReference();
  const rawSeconds = opts.applications >= 10_000 ? 15 : 4;
  const rawBefore = await rawWriteRate(rawSeconds, 'before');
  const transactionItemsBefore = await transactionItemRate(rawSeconds, 'before');
  progress(0.05, 'reference data, raw write rate');
  const day = peakDay(opts, profiles);
  const applicantRecords = await seedApplicants(day.applicants, 0.05, 0.1);
  meter.reset();
  meter.latencies = [];
  const commits0 = groupCommitTotals();
  const outbound0 = rt.outboundCounts();
  const sample = new RequestSample();
  meter.onDynamoRequest = (name, input) => sample.offer(name, input);
  const total = day.mixed.length + 1;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await postAll(day.mixed, 4, (n) => progress(0.1 + (0.55 * n) / total, `posted ${n}/${total}`));
  const policyId = 'POL-BENCH-PEAK-DAY';
  await postAll([policyEvent(policyId, 'bench-policy-peak')], 1);
  const postedMs = performance.now() - t0;
  const poll = setInterval(() => {
    const d = rt.queueDepths();
    const left = Object.values(d).reduce((n, q) => n + q.visible + q.inFlight, 0);
    progress(0.65 + 0.3 * Math.max(0, 1 - left / total), `draining, ${left} messages queued`);
  }, 1000);
  await drain('the peak day');
  clearInterval(poll);
  const endToEndMs = performance.now() - t0;
  const cpu1 = cpuSeconds();
  const commits1 = groupCommitTotals();
  const commits = { writes: commits1.writes - commits0.writes, changes: commits1.changes - commits0.changes, redone: commits1.redone - commits0.redone };
  const outbound1 = rt.outboundCounts();
  const outbound = { listed: outbound1.listed - outbound0.listed, duplicates: outbound1.duplicates - outbound0.duplicates };
  meter.onDynamoRequest = undefined;
  const cpu = { node: cpu1.node - cpu0.node, standIns: cpu1.standIns - cpu0.standIns, wallSeconds: endToEndMs / 1000 };
  const usage = meter.snapshot();
  const latency = percentiles(meter.latencies);
  const lostInFlight = meter.posted.size; // posted events whose message was never deleted after its handler
  // Again with the JVM as warm as the day left it; the yardstick is the better of the two.
  const rawAfter = await rawWriteRate(rawSeconds, 'after');
  const raw = better(rawBefore, rawAfter);
  const rawWrites = raw.rate;
  const transactionProbe = better(transactionItemsBefore, await transactionItemRate(rawSeconds, 'after'));
  const transactionItems = transactionProbe.rate;
  progress(0.97, 'replaying a sample of the day\'s requests');
  const byKind = await replaySample(sample, process.env.AWS_ENDPOINT_URL_DYNAMODB, cpuSeconds);
  progress(0.98, 'replaying the sampled transactions with their audit lines written apart');
  const cdc = await replayAuditByCdc(sample, process.env.AWS_ENDPOINT_URL_DYNAMODB, cpuSeconds);
  progress(0.99, 'replaying the sampled transactions without indexes and in the probe\'s shape');
  const shapes = await replayTransactionShapes(sample, process.env.AWS_ENDPOINT_URL_DYNAMODB, cpuSeconds);

  // Exact figures: every application decided once, with its template's outcome; every review counted; the policy push.
  const checks: Array<{ what: string; expected: unknown; actual: unknown }> = [];
  const decided = rt.outbound.filter((o) => o.event.type === 'gov.application.decided').map((o) => o.event as any);
  const decidedIds = new Set(decided.map((e) => e.data?.applicationId ?? e.subject));
  checks.push({ what: 'applications with a decided event', expected: day.applications.length, actual: day.applications.filter((a) => decidedIds.has(a.event.data.applicationId)).length });
  const byItem = new Map<string, number>();
  for (const a of day.applications) byItem.set(a.itemCode, (byItem.get(a.itemCode) ?? 0) + 1);
  for (const [itemCode, n] of byItem) {
    const f = await get(`/approval/figures?itemCode=${encodeURIComponent(itemCode)}`);
    const figures = f.figures ?? f;
    // The runtime is fresh and its seed holds no applications: every decision counted is the day's.
    checks.push({ what: `decisions of item ${itemCode}`, expected: n, actual: figures.decisions });
  }
  const rf = (await get(`/reviews/figures?dimension=department&key=440305-BENCH&period=2026-11`)).figures;
  checks.push({ what: 'completed cases (440305-BENCH)', expected: day.cases.length, actual: rf.completedCases });
  checks.push({ what: 'real reviews', expected: day.reviews.length, actual: rf.realReviews });
  for (const level of [1, 2, 3, 4, 5]) checks.push({ what: `reviews of level ${level}`, expected: day.levels[level], actual: rf.byLevel?.[level] ?? rf.byLevel?.[String(level)] });
  const oracle = matchSlice({ ...EXPORT_CREDIT_INSURANCE, validFrom: '2026-01-01', validTo: '2026-12-31' }, plain(profiles.slice(0, opts.profiles)).concat(plain(samplesProfiles())), undefined, CLOCK);
  const pol = await get(`/policies/${policyId}`);
  const pf = pol.figures ?? pol;
  checks.push({ what: 'policy eligible', expected: oracle.eligible.length, actual: pf.eligible });
  checks.push({ what: 'policy needs-info', expected: oracle.needsInfo.length, actual: pf.needsInfo });
  checks.push({ what: 'policy notified', expected: oracle.eligible.length, actual: pf.notified });
  checks.push({ what: 'messages in DLQs', expected: 0, actual: dlqTotal() });
  checks.push({ what: 'posted events never stored (no handler finished them)', expected: 0, actual: lostInFlight });
  // Each clone has an applicant of its own with the sample applicant's records: all of a template decide alike.
  const outcomes = outcomesByTemplate(day.applications, decided);
  for (const [template, byOutcome] of Object.entries(outcomes)) checks.push({ what: `distinct outcomes of the ${template} clones`, expected: 1, actual: Object.keys(byOutcome).length });
  const mix = { ...mixOf(day), 'gov.policy.published': 1 };
  return { total, mix, applicantRecords, postedMs, endToEndMs, commits, outbound, rawWrites, rawBefore: rawBefore.rate, rawAfter: rawAfter.rate, raw, transactionItems, transactionProbe, byKind, cdc, shapes, cpu, latency, usage, checks, outcomesByTemplate: outcomes };
}

/** How many events of each type (by the cost run's labels) a day holds. */
function mixOf(day: ReturnType<typeof peakDay>): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const a of day.applications) {
    const label = `gov.application.submitted (${a.template})`;
    mix[label] = (mix[label] ?? 0) + 1;
  }
  return { ...mix, 'gov.case.completed': day.cases.length, 'gov.review.submitted': day.reviews.length, 'gov.enterprise.profile.updated': day.profiles };
}

/** Applications cloned from the samples (instant, 容缺, commitment), ids from `prefix`, each with an applicant of its own. */
function applicationEvents(count: number, prefix: string): ClonedApplicant[] {
  const apps = sampleEvents('gov.application.submitted');
  return Array.from({ length: count }, (_, i) => {
    const e = clone(apps[i % apps.length]!.event);
    e.id = `bench-${prefix}-${i}`;
    e.data.applicationId = `SQ-20261106-${prefix.toUpperCase()}${six(i)}`;
    return ownApplicant(e);
  });
}

/** The 企业开办 bundle and its five items: the items first, since the bundle that names them is refused while they are unknown. */
async function seedBundle(): Promise<void> {
  for (const events of bundleSeed()) {
    await postAll(events, 1);
    await drain('seeding the 企业开办 bundle');
  }
}

/** One application in this many of the steady load is a 企业开办 bundle application. */
const BUNDLE_EVERY = 10;

/** Requests in flight while the calibration flood is posted one application per request. */
const CALIBRATION_IN_FLIGHT = 16;

/**
 * The load of the 秒批 latency section: `count` applications, every BUNDLE_EVERY-th a 企业开办 bundle
 * application (five children) and the rest clones by applicants of their own, whose records are seeded here.
 */
async function applicationLoad(count: number, prefix: string, from: number, to: number): Promise<Ev[]> {
  const isBundle = (i: number) => i % BUNDLE_EVERY === BUNDLE_EVERY - 1;
  const clones = applicationEvents(count, prefix);
  await seedApplicants(clones.filter((_, i) => !isBundle(i)), from, to);
  return clones.map((c, i) => (isBundle(i) ? bundleApplication(`bench-b${prefix}-${i}`, `YJS-20261106-${prefix.toUpperCase()}${six(i)}`) : c.application));
}

/** How many 企业开办 bundle applications have been approved so far, by the bundle figures' route. */
async function bundlesApprovedSoFar(): Promise<number> {
  const figures = await get('/approval/bundle-figures?bundleCode=YJS-QYKB');
  return Number(figures?.byStatus?.APPROVED ?? 0);
}

/** Events posted one per signed request, as citizens submit them, `concurrency` requests in flight. */
async function postEach(events: Ev[], concurrency: number, onDone?: (n: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        await postBatch([events[next++]!]);
        onDone?.(++done);
      }
    }),
  );
}

/**
 * 秒批 latency at a steady load: first the sustainable rate of the same load (the same mix of single items
 * and bundles, one application per request, posted as fast as the API takes them and drained), then that
 * load posted at half that rate, as citizens submit them, for `seconds`; latency = before the POST → the
 * approval consumer's delete of its message, sent only after the decision is stored (so ingest, queueing and
 * the decision are all inside it).
 */
async function steady(opts: { calibrate: number; seconds: number }) {
  await seedReference();
  await seedBundle();
  progress(0.05, 'reference data');
  const flood = await applicationLoad(opts.calibrate, 'cal', 0.05, 0.1);
  const t0 = performance.now();
  await postEach(flood, CALIBRATION_IN_FLIGHT, (n) => n % 100 === 0 && progress(0.1 + (0.15 * n) / flood.length, `calibrating: posted ${n}`));
  await drain('the calibration flood');
  const sustainable = flood.length / ((performance.now() - t0) / 1000);
  const rate = sustainable / 2;
  const count = Math.max(10, Math.round(rate * opts.seconds));
  const events = await applicationLoad(count, 'st', 0.25, 0.3);
  const approvedBefore = await bundlesApprovedSoFar(); // the calibration's
  meter.reset();
  meter.posted.clear();
  const start = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  let lateStarts = 0;
  for (const [i, e] of events.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -50) lateStarts++;
    inFlight.push(postBatch([e]));
    if (i % 20 === 0) progress(0.3 + (0.6 * i) / count, `steady load: ${i}/${count} at ${rate.toFixed(0)}/s`);
  }
  await Promise.all(inFlight);
  await drain('the steady load');
  const latency = percentiles(meter.latencies);
  const measured = [...meter.latencyOf];
  // The bundles must have been decided on their merits: five children approved, not refused as unknown.
  const bundlesApproved = (await bundlesApprovedSoFar()) - approvedBefore;
  const single = percentiles(measured.filter(([id]) => !id.startsWith('bench-bst-')).map(([, ms]) => ms));
  const bundle = percentiles(measured.filter(([id]) => id.startsWith('bench-bst-')).map(([, ms]) => ms));
  // The load in four quarters of its time, by each application's place in the schedule (its id's number):
  // how far a quarter's tail strays from the whole run's is this run's own noise, shown beside it.
  const quarterOf = (id: string) => Math.min(3, Math.floor((4 * Number(id.slice(id.lastIndexOf('-') + 1))) / count));
  const quarters = [0, 1, 2, 3].map((q) => percentiles(measured.filter(([id]) => quarterOf(id) === q).map(([, ms]) => ms)));
  const stages = {
    ingest: percentiles(meter.stages.map((x) => x.ingest)),
    queued: percentiles(meter.stages.map((x) => x.queued)),
    handled: percentiles(meter.stages.map((x) => x.handled)),
  };
  return { sustainable, calibrationInFlight: CALIBRATION_IN_FLIGHT, rate, count, stages, seconds: (performance.now() - start) / 1000, lateStarts, latency, quarters, single, bundle, bundlesApproved, notMeasured: meter.posted.size };
}

function samplesProfiles(): EnterpriseProfile[] {
  return sampleEvents('gov.enterprise.profile.updated').map((s) => s.event.data as EnterpriseProfile);
}

function outcomesByTemplate(apps: Array<{ template: string; event: Ev }>, decided: any[]): Record<string, Record<string, number>> {
  const last = new Map<string, string>();
  for (const d of decided) last.set(d.data?.applicationId, d.data?.outcome);
  const out: Record<string, Record<string, number>> = {};
  for (const a of apps) {
    const o = last.get(a.event.data.applicationId) ?? 'none';
    (out[a.template] ??= {})[o] = ((out[a.template] ??= {})[o] ?? 0) + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

/** Writes profiles straight into the registry table as the registry function stores them (BatchWriteItem). */
async function seedProfiles(profiles: readonly EnterpriseProfile[], from: number, onProgress: (f: number) => void): Promise<void> {
  // Imported only now: the store's module creates the functions' SDK clients from the runtime's environment.
  const { shardKey } = await import('#registry/store');
  const { shardOf } = await import('#registry/domain/shards');
  const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, maxAttempts: 10 });
  const table = process.env[env.table('registry')]!;
  const items = profiles.slice(from).map((p) => {
    const profile = plain(p);
    return { pk: `ENT#${p.creditCode}`, sk: 'PROFILE', asOfMs: Date.parse(p.asOf), profile, kind: 'enterprise', gsi1pk: shardKey(shardOf(p.creditCode)), gsi1sk: p.creditCode };
  });
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < items.length) {
        const chunk = items.slice(next, next + 25);
        next += 25;
        let req: any = { [table]: chunk.map((Item) => ({ PutRequest: { Item: marshall(Item, { removeUndefinedValues: true }) } })) };
        while (req && Object.keys(req).length) {
          const out = await client.send(new BatchWriteItemCommand({ RequestItems: req }));
          req = out.UnprocessedItems;
        }
        done += chunk.length;
        if (done % 2000 < 25) onProgress(done / items.length);
      }
    }),
  );
  client.destroy();
}

async function publish(opts: { steps: number[]; sliceSize: number }) {
  const max = Math.max(...opts.steps);
  const { profiles } = generateEnterprises(max, 20261107, { asOf: '2026-11-01T00:00:00+08:00' });
  const results: any[] = [];
  let seededCount = 0;
  for (const [k, n] of opts.steps.entries()) {
    const span = 1 / opts.steps.length;
    const t0 = performance.now();
    await seedProfiles(profiles.slice(0, n), seededCount, (f) => progress(k * span + f * span * 0.4, `seeding ${n} profiles`));
    const seedMs = performance.now() - t0;
    seededCount = n;
    const policyId = `POL-BENCH-PUBLISH-${k}`;
    const start = performance.now();
    await postAll([policyEvent(policyId, `bench-publish-${k}`)], 1);
    const poll = setInterval(async () => {
      try {
        const p = await get(`/policies/${policyId}`);
        const run = p.run ?? p.matching ?? {};
        progress(k * span + span * (0.4 + 0.6 * Math.min(1, (run.profiles ?? 0) / n)), `publish over ${n}: ${run.profiles ?? 0} profiles matched`);
      } catch {
        /* the policy is not stored yet */
      }
    }, 2000);
    await drain(`publishing over ${n} profiles`);
    clearInterval(poll);
    const wallMs = performance.now() - start;
    const body = await get(`/policies/${policyId}`);
    const figures = body.figures ?? body;
    const oracle = matchSlice({ ...EXPORT_CREDIT_INSURANCE, validFrom: '2026-01-01', validTo: '2026-12-31' }, plain(profiles.slice(0, n)).concat(plain(samplesProfiles())), undefined, CLOCK);
    results.push({ profiles: n, sliceSize: opts.sliceSize, seedMs, wallMs, publishToLastPushMs: figures.publishToLastPushMs, eligible: figures.eligible, expectedEligible: oracle.eligible.length, notified: figures.notified, needsInfo: figures.needsInfo, expectedNeedsInfo: oracle.needsInfo.length, run: body.run ?? body.matching ?? null, dlq: dlqTotal() });
  }
  return { results };
}

// ---------------------------------------------------------------------------------------------------

/**
 * The cost of each event type. In bursts (the default): N events posted 100 to a request, the consumers'
 * batches as full as their queues let them be. One at a time (`oneAtATime`): each event posted alone and
 * everything it causes drained before the next, so every request and every consumer batch holds that one
 * event, as in a quiet hour when events come further apart than a batch takes; the policy push, one event
 * fanned out, is left out.
 */
async function cost(opts: { perType: number; profilesForPolicy: number; oneAtATime?: boolean }) {
  await seedReference();
  const n = opts.perType;
  const { profiles } = generateEnterprises(n + opts.profilesForPolicy, 20261108, { asOf: '2026-11-01T00:00:00+08:00' });
  const day = peakDay({ applications: n * 4, cases: n, profiles: 0 }, []);
  await seedApplicants(day.applicants);
  const segments: Array<{ label: string; events: Ev[]; per: number; inMix?: false }> = [];
  segments.push({ label: 'gov.enterprise.profile.updated', events: profileEvents(profiles.slice(0, n), 'cost-ent'), per: n });
  const apps = sampleEvents('gov.application.submitted');
  for (const t of apps) {
    segments.push({ label: `gov.application.submitted (${t.name})`, events: day.applications.filter((a) => a.template === t.name).slice(0, n).map((a) => a.event), per: n });
  }
  segments.push({ label: 'gov.case.completed', events: day.cases, per: n });
  segments.push({ label: 'gov.review.submitted', events: day.reviews, per: n });
  // 一件事, not in the day's mix.
  await seedBundle();
  const bundles = Array.from({ length: n }, (_, i) => bundleApplication(`bench-cost-bundle-${i}`, `YJS-20261106-C${six(i)}`));
  segments.push({ label: BUNDLE_COST_LABEL, events: bundles, per: n, inMix: false });
  const out: any[] = [];
  for (const [i, s] of segments.entries()) {
    meter.reset();
    if (opts.oneAtATime) {
      for (const [k, e] of s.events.entries()) {
        await postAll([e], 1);
        await drain(`${s.label}, event ${k + 1} alone`);
        progress((i + (k + 1) / s.events.length) / segments.length, `${s.label}, one at a time`);
      }
    } else {
      await postAll(s.events, 4);
      await drain(s.label);
    }
    out.push({ label: s.label, events: s.per, usage: meter.snapshot(), ...(s.inMix === false ? { inMix: false } : {}) });
    progress((i + 1) / (segments.length + (opts.oneAtATime ? 0 : 2)), s.label);
  }
  if (opts.oneAtATime) return { segments: out, dlq: dlqTotal() };
  // A policy push, per enterprise matched: profiles loaded first (not counted), then the publication.
  await postAll(profileEvents(profiles.slice(n), 'cost-pol'), 4);
  await drain('profiles for the policy');
  meter.reset();
  await postAll([policyEvent('POL-BENCH-COST', 'bench-cost-policy')], 1);
  await drain('policy push');
  const body = await get('/policies/POL-BENCH-COST');
  out.push({ label: 'gov.policy.published (per enterprise matched)', events: opts.profilesForPolicy + n + samplesProfiles().length, usage: meter.snapshot(), eligible: (body.figures ?? body).eligible });
  progress(1, 'done');
  return { segments: out, dlq: dlqTotal() };
}

// ---------------------------------------------------------------------------------------------------

/**
 * Ingest latency under a consumer backlog: 100-event batches posted one at a time, first with every queue
 * idle, then while the consumers work through a backlog that was posted as fast as the API takes it. The
 * time of each step of ingest (validation, the (source, id) records, the queue sends) is taken by wrapping
 * the ingest ports the handler calls (the runtime runs in this process), and the event loop's delay by
 * perf_hooks, so a slow batch says where its time went.
 */
async function ingestUnderBacklog(opts: { backlog: number; probes: number; idleProbes: number }) {
  const { ingestPorts } = await import('#ingest/adapters');
  const steps: Array<{ record: number; enqueue: number }> = [];
  let current = { record: 0, enqueue: 0 };
  const record = ingestPorts.record.bind(ingestPorts);
  const enqueue = ingestPorts.enqueue.bind(ingestPorts);
  Object.assign(ingestPorts, {
    async record(events: Parameters<typeof record>[0], at: string) {
      const t = performance.now();
      try {
        return await record(events, at);
      } finally {
        current.record += performance.now() - t;
      }
    },
    async enqueue(events: Parameters<typeof enqueue>[0]) {
      const t = performance.now();
      try {
        return await enqueue(events);
      } finally {
        current.enqueue += performance.now() - t;
      }
    },
  });
  await seedReference();
  const backlogDay = peakDay({ applications: Math.round(opts.backlog / 2), cases: Math.round(opts.backlog / 4), profiles: 0 }, []);
  const probeDay = peakDay({ applications: 100 * (opts.probes + opts.idleProbes), cases: 0, profiles: 0 }, []);
  await seedApplicants([...backlogDay.applicants, ...probeDay.applicants]);
  // Ids of their own, so no probe is a duplicate of the backlog.
  const probeEvents = probeDay.applications.map((a, i) => ({ ...a.event, id: `probe-${i}`, data: { ...a.event.data, applicationId: `SQ-20261107-${six(i)}` } }));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const probe = async (k: number) => {
    const batch = probeEvents.slice(k * 100, (k + 1) * 100);
    const depth = queued();
    current = { record: 0, enqueue: 0 };
    loop.reset();
    loop.enable();
    const t = performance.now();
    const out = await postOnce(batch);
    const ms = performance.now() - t;
    loop.disable();
    steps.push(current);
    return { ms, status: out.status, queuedBefore: depth, recordMs: current.record, enqueueMs: current.enqueue, loopDelayMaxMs: loop.max / 1e6, loopDelayMeanMs: loop.mean / 1e6 };
  };
  const idle = [];
  for (let k = 0; k < opts.idleProbes; k++) {
    idle.push(await probe(k));
    await drain('an idle probe');
  }
  progress(0.1, 'idle probes');
  // The backlog: posted as fast as the API takes it, 4 requests in flight, then probed while it drains.
  const t0 = performance.now();
  await postAll(backlogDay.mixed, 4, (n) => progress(0.1 + (0.3 * n) / backlogDay.mixed.length, `backlog ${n}/${backlogDay.mixed.length}`));
  const backlogPostedMs = performance.now() - t0;
  const busy = [];
  for (let k = opts.idleProbes; k < opts.idleProbes + opts.probes; k++) {
    busy.push(await probe(k));
    progress(0.4 + (0.5 * (k - opts.idleProbes + 1)) / opts.probes, `probe ${k - opts.idleProbes + 1}/${opts.probes}, ${queued()} queued`);
  }
  await drain('the backlog');
  const lost = probeEvents.length - (await acceptedCount(probeEvents));
  return {
    backlog: backlogDay.mixed.length,
    backlogPostedMs,
    idle: summary(idle),
    busy: summary(busy.filter((b) => b.queuedBefore >= 100)),
    busyProbes: busy,
    statuses: [...idle, ...busy].map((b) => b.status),
    lost,
    dlq: dlqTotal(),
  };
}

function summary(probes: Array<{ ms: number; recordMs: number; enqueueMs: number; loopDelayMaxMs: number; queuedBefore: number }>) {
  const pick = (f: (p: (typeof probes)[number]) => number) => percentiles(probes.map(f));
  return {
    latency: pick((p) => p.ms),
    record: pick((p) => p.recordMs),
    enqueue: pick((p) => p.enqueueMs),
    loopDelayMax: pick((p) => p.loopDelayMaxMs),
    queuedBefore: pick((p) => p.queuedBefore),
    overTenSeconds: probes.filter((p) => p.ms > 10_000).length,
  };
}

/** Messages waiting or being handled on every queue. */
function queued(): number {
  return Object.values(rt.queueDepths()).reduce((n, q) => n + q.visible + q.inFlight, 0);
}

/** One post, its status whatever it is (a probe measures, it does not retry). */
async function postOnce(batch: Ev[]): Promise<{ status: number }> {
  const as = batch[0]!.source;
  const body = JSON.stringify(batch);
  const res = await fetch(`${rt.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json', ...signedHeaders(as, devKey(as), 'POST', '/events', body) },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status };
}

/** How many of the events were recorded at the edge (a probe answered 5xx may have recorded some). */
async function acceptedCount(events: Ev[]): Promise<number> {
  let n = 0;
  for (const e of events) if ((await getStatus(`/events/${encodeURIComponent(e.id)}/receipt?source=${encodeURIComponent(e.source)}`)) === 200) n++;
  return n;
}

async function getStatus(path: string): Promise<number> {
  const as = '/auditors/district';
  const res = await fetch(`${rt.url}${path}`, { headers: signedHeaders(as, devKey(as), 'GET', path, '') });
  await res.arrayBuffer();
  return res.status;
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const [scenario, json] = process.argv.slice(2);
  const opts = JSON.parse(json ?? '{}');
  meter.installSqs();
  const config = opts.sliceSize ? { ...stageConfig('local'), matching: { sliceSize: opts.sliceSize } } : stageConfig('local');
  rt = await startRuntime({ port: 0, timers: false, retryDelaySeconds: 1, batchingWindow: opts.batchingWindow ?? 'lambda', onInvocation: (fn, records, ms) => meter.addInvocation(fn, ms, records), config, log: (line) => errors.push(line), ...(opts.pollers ? { pollersPerQueue: opts.pollers } : {}) });
  try {
    await meter.installDynamo();
    meter.setQueues(Object.fromEntries(Object.entries(rt.queues).map(([k, q]) => [k, q.url])));
    setClockOffset(Date.parse(CLOCK) - Date.now());
    const result =
      scenario === 'pipeline' ? await pipeline(opts)
      : scenario === 'publish' ? await publish(opts)
      : scenario === 'ingest' ? await ingestUnderBacklog(opts)
      : scenario === 'steady' ? await steady(opts)
      : await cost(opts);
    process.stdout.write(`@@result ${JSON.stringify({ ...result, errors: errors.slice(0, 20), errorCount: errors.length })}\n`);
  } finally {
    await rt.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`worker failed: ${(error as Error)?.stack ?? error}\nruntime errors: ${errors.slice(0, 10).join('\n')}\n`);
    process.exit(1);
  },
);
