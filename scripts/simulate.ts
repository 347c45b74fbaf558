/**
 * `npm run simulate -- <draft.json> [--from ISO] [--to ISO | --days N] [--as PRINCIPAL] [--url URL]` (`-- --help`)
 *
 * 沙盘推演 against the local runtime: posts the draft item version (a bare item, or a
 * gov.catalog.item.published event whose data is one) to POST /simulations, signed with the principal's
 * local development key, shows a progress bar while the slices run, and prints the result as tables.
 * A 5xx (the runtime starting, its storage restarting) is posted again, for up to a minute, with the same
 * `Idempotency-Key`: a fresh one per run, so a retry gets the simulation the failed post may have stored.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { devKey, signedHeaders } from '#auth/signature';
import type { ItemSimulationView, PolicySimulationView, SimulationView } from '#simulation';
import { simulationHtml } from './simulate-html';
import { commandLine, runMain, runtimeUrl, UsageError, wholeNumber, type CommandSpec, type Parsed } from '#local/cli';

export const SIMULATE: CommandSpec = {
  command: 'npm run simulate',
  positionals: '<draft.json>',
  maxPositionals: 1,
  summary: 'Replays an item\'s stored decisions against a draft item version on the local runtime and prints what would change.',
  options: [
    { name: 'from', value: 'ISO', help: 'first submission time replayed (default: --days before --to)' },
    { name: 'to', value: 'ISO', help: 'submissions before this time (default: now)' },
    { name: 'days', value: 'N', help: 'the window\'s length when --from is not given (default 90)' },
    { name: 'html', value: 'FILE', help: 'also write the result as a page with charts, in the monthly report\'s style' },
    { name: 'as', value: 'PRINCIPAL', help: 'who asks, signed with its local development key (default /auditors/district)' },
    { name: 'url', value: 'URL', help: 'the local runtime (default: $CIVICFLOW_URL, else http://127.0.0.1:3000)' },
  ],
  notes: [
    'A draft is an item version as gov.catalog.item.published carries it, bare or the whole event (copy a sample and',
    'change it); a policy version (gov.policy.published) is matched over the current profiles instead.',
    'Example, after the first walkthrough (the sample itself as the draft: its two applications, nothing changed):',
    '  npm run simulate -- events/samples/gov.catalog.item.published/outdoor-advertising.json --from 2026-11-01T00:00:00+08:00',
    'Prints the outcome transitions, the projected 秒批率 and materials waived, the regressions and the facts blocking the most instant approvals.',
    'A post answered 5xx is tried again for up to a minute with the same Idempotency-Key (a new one each run): one run starts one simulation.',
  ],
};

/** The request a command line asks for (exported for the unit test). */
export function simulationRequest(cli: Pick<Parsed, 'values' | 'positionals'>, now: Date, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): Record<string, unknown> {
  const file = cli.positionals[0];
  if (file === undefined) throw new UsageError('name the draft: npm run simulate -- <draft.json> (see --help)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(file));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : `${file}: not JSON (${(error as Error).message})`);
  }
  const event = typeof parsed === 'object' && parsed !== null && 'specversion' in parsed && 'data' in parsed ? (parsed as { type?: unknown; data: unknown }) : undefined;
  const draft = event === undefined ? parsed : event.data;
  // A policy version (a gov.policy.published event, or data with criteria) is matched over the current profiles.
  const isPolicy = event !== undefined ? event.type === 'gov.policy.published' : typeof draft === 'object' && draft !== null && 'criteria' in draft;
  if (isPolicy) {
    if (cli.values.from !== undefined || cli.values.to !== undefined || cli.values.days !== undefined) {
      throw new UsageError('a policy draft is matched over the current profiles: --from, --to and --days are for item drafts');
    }
    return { policy: draft };
  }
  const instant = (name: string, raw: string | undefined): Date | undefined => {
    if (raw === undefined) return undefined;
    const t = new Date(raw);
    if (Number.isNaN(t.getTime())) throw new UsageError(`--${name}: expected an ISO 8601 date-time such as 2026-11-01T00:00:00+08:00, got "${raw}"`);
    return t;
  };
  const to = instant('to', cli.values.to) ?? now;
  const days = wholeNumber('days', cli.values.days, 1, 3660) ?? 90;
  const from = instant('from', cli.values.from) ?? new Date(to.getTime() - days * 86_400_000);
  return { draft, from: cli.values.from ?? from.toISOString(), to: cli.values.to ?? to.toISOString() };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const width = (i: number) => Math.max(...cells.map((r) => [...(r[i] ?? '')].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  const pad = (s: string, i: number) => s + ' '.repeat(width(i) - [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0));
  const line = (r: readonly string[]) => r.map(pad).join('  ').trimEnd();
  return [line(cells[0]!), head.map((_, i) => '-'.repeat(width(i))).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The printed result of a finished simulation (exported for the unit test). */
export function renderResult(view: SimulationView, maxRegressions = 20): string {
  return view.kind === 'policy' ? renderPolicyResult(view) : renderItemResult(view, maxRegressions);
}

function renderPolicyResult(view: PolicySimulationView, maxCodes = 20): string {
  const r = view.result;
  if (r === undefined) return `simulation ${view.simulationId}: ${view.status}, ${view.progress.slicesDone}/${view.progress.slices} slices done`;
  const row = (label: string, c: { eligible: number; needsInfo: number; ineligible: number; excluded: number } | null) =>
    c === null ? [label, '—', '—', '—', '—'] : [label, c.eligible, c.needsInfo, c.ineligible, c.excluded];
  const out = [
    `simulation ${view.simulationId}: policy ${view.policyId} draft version ${view.draftVersion}, over ${r.profiles} current profiles${r.draftInactive ? ` (the draft pushes nothing now: ${r.draftInactive})` : ''}`,
    '',
    table(['', 'eligible', 'needs info', 'ineligible', 'excluded (dishonest)'], [row('current version', r.current), row('draft', r.draft)]),
    '',
    table(['from', 'to', 'enterprises'], r.transitions.map((t) => [t.from, t.to, t.count])),
    '',
    `budget needed by the draft: ${r.budget.needed === null ? 'no amount named' : r.budget.needed.toLocaleString('en')}; budget: ${r.budget.budget === null ? 'unlimited' : r.budget.budget.toLocaleString('en')}${r.budget.enough === false ? ' — NOT ENOUGH' : ''}`,
    `pushed entitlements the draft would no longer cover (never withdrawn): ${r.noLongerCovered.length}`,
    ...r.noLongerCovered.slice(0, maxCodes).map((c) => `  ${c}`),
    ...(r.noLongerCovered.length > maxCodes ? [`  … and ${r.noLongerCovered.length - maxCodes} more (GET /simulations/${view.simulationId})`] : []),
  ];
  return out.join('\n');
}

/** Why the facts are missing, when some were too large to keep (a result from before they were told apart has no `notReplayableBy`). */
function notReplayableWhy(r: NonNullable<ItemSimulationView['result']>): string {
  const by = r.notReplayableBy as typeof r.notReplayableBy | undefined;
  if (by === undefined || by.factsOverBudget === 0) return '';
  return `: ${by.factsOverBudget} with facts over the storage budget, ${by.storedBeforeFacts} stored before facts were kept`;
}

function renderItemResult(view: ItemSimulationView, maxRegressions: number): string {
  const r = view.result;
  if (r === undefined) return `simulation ${view.simulationId}: ${view.status}, ${view.progress.slicesDone}/${view.progress.slices} slices done`;
  const out = [
    `simulation ${view.simulationId}: ${view.itemCode} draft version ${view.draftVersion}, submitted ${view.window.from} .. ${view.window.to}`,
    `replayed ${r.replayed}${r.notReplayable ? ` (${r.notReplayable} stored without their facts, not replayed${notReplayableWhy(r)})` : ''}`,
    ...(r.bundleChildrenNotReplayed
      ? [`not replayed: ${r.bundleChildrenNotReplayed} 一件事 bundle applications with a child decided on this item (a bundle keeps no facts per child; no figure below includes them)`]
      : []),
    '',
    table(['from', 'to', 'applications'], r.transitions.map((t) => [t.from, t.to, t.count])),
    '',
    table(
      ['', 'stored', 'draft'],
      [
        ['秒批率', pct(r.instantApprovalRate.baseline), pct(r.instantApprovalRate.projected)],
        ['materials waived', r.materialsWaived.baseline, r.materialsWaived.projected],
      ],
    ),
    '',
    `regressions (approvals that would become anything else): ${r.regressions.length}`,
  ];
  if (r.regressions.length > 0) {
    out.push(
      table(
        ['application', 'to', 'flipped by'],
        r.regressions.slice(0, maxRegressions).map((g) => [g.applicationId, g.to, g.rules.length ? g.rules.map((x) => `${x.id} ${x.description}`).join('；') : g.reasons.join(', ')]),
      ),
    );
    if (r.regressions.length > maxRegressions) out.push(`… and ${r.regressions.length - maxRegressions} more (GET /simulations/${view.simulationId})`);
  }
  out.push('', 'unknown facts blocking the most instant approvals:');
  out.push(r.blockingFacts.length ? table(['fact', 'applications'], r.blockingFacts.map((f) => [f.fact, f.applications])) : '  none');
  return out.join('\n');
}

function bar(progress: SimulationView['progress']): void {
  const width = 30;
  const filled = Math.round((progress.slicesDone / progress.slices) * width);
  const counted = 'applicationsReplayed' in progress ? `${progress.applicationsReplayed} applications replayed` : `${progress.profilesMatched} profiles matched`;
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.slicesDone}/${progress.slices} slices, ${counted}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else process.stderr.write(`${line}\n`);
}

/** Longest time a post answered 5xx is tried again. */
const RETRY_FOR_MS = 60_000;

export interface PostOptions {
  /** This run's `Idempotency-Key`, sent with every try (default: a new UUID). */
  readonly key?: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * POST /simulations, signed on each try (the signature's date must be recent); a 5xx is tried again after
 * its Retry-After (else 1 s) for up to RETRY_FOR_MS, with the same key, so the runtime answers a retry with
 * the simulation an earlier try stored instead of starting another. Exported for the unit test.
 */
export async function postSimulation(
  base: string,
  body: string,
  signed: (method: string, path: string, payload: string) => Record<string, string>,
  options: PostOptions = {},
): Promise<{ status: number; answer: { simulationId?: string; error?: string; errors?: { path: string; message: string }[] } }> {
  const key = options.key ?? randomUUID();
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + RETRY_FOR_MS;
  for (;;) {
    const res = await send(`${base}/simulations`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, ...signed('POST', '/simulations', body) }, body });
    const text = await res.text();
    let answer: { simulationId?: string; error?: string; errors?: { path: string; message: string }[] };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      answer = { error: text.slice(0, 200) };
    }
    const wait = Math.max(1, Number(res.headers.get('retry-after') ?? 1) || 1) * 1000;
    if (res.status >= 500 && now() + wait < deadline) {
      await sleep(wait);
      continue;
    }
    return { status: res.status, answer };
  }
}

async function main(cli: Parsed): Promise<number> {
  const body = JSON.stringify(simulationRequest(cli, new Date()));
  const base = runtimeUrl(cli.values.url);
  const as = cli.values.as ?? '/auditors/district';
  const signed = (method: string, path: string, payload: string) => signedHeaders(as, devKey(as), method, path, payload);
  const { status, answer } = await postSimulation(base, body, signed);
  if (status !== 202 || answer.simulationId === undefined) {
    const details = (answer.errors ?? []).map((e) => `\n  ${e.path || '(body)'}: ${e.message}`).join('');
    throw new Error(`${base} refused the simulation (${status}): ${answer.error ?? 'no reason given'}${details}`);
  }
  const view = await pollSimulation(base, answer.simulationId, signed, { onProgress: bar });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(renderResult(view));
  if (cli.values.html !== undefined) {
    if (view.kind === 'policy') console.log('\n--html draws item simulations only: nothing written');
    else {
      writeFileSync(cli.values.html, simulationHtml(view));
      console.log(`\nwritten: ${cli.values.html}`);
    }
  }
  return 0;
}

export interface PollOptions {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called with the progress each time it changes. */
  readonly onProgress?: (progress: SimulationView['progress']) => void;
}

/**
 * Reads GET /simulations/{id} until it is `done` and answers it. A simulation shown `stalled` (queued, no
 * slice stored for hours: its slices are in the DLQ) would otherwise be waited on for ever: that is an error
 * saying what to do. Exported for the unit test.
 */
export async function pollSimulation(
  base: string,
  simulationId: string,
  signed: (method: string, path: string, payload: string) => Record<string, string>,
  options: PollOptions = {},
): Promise<SimulationView> {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const path = `/simulations/${encodeURIComponent(simulationId)}`;
  let last = '';
  for (;;) {
    const res = await send(`${base}${path}`, { headers: signed('GET', path, '') });
    const view = (await res.json()) as SimulationView & { error?: string };
    if (res.status !== 200) throw new Error(`${base}${path} answered ${res.status}: ${view.error ?? ''}`);
    const now = JSON.stringify(view.progress);
    if (now !== last) options.onProgress?.(view.progress);
    last = now;
    if (view.status === 'done') return view;
    if (view.status === 'stalled') {
      throw new Error(
        `simulation ${simulationId} is stalled at ${view.progress.slicesDone}/${view.progress.slices} slices: no slice was stored for hours, ` +
          'so its slices are in the simulation DLQ. Read the simulation function\'s "record failed" lines, fix the cause, ' +
          'then `npm run redrive -- simulation` (docs/operations.md, "A simulation shown stalled"); ' +
          `it then finishes, and GET ${path} shows the result.`,
      );
    }
    await sleep(300);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/simulate.ts')) {
  const cli = commandLine(SIMULATE);
  runMain(SIMULATE, () => main(cli), () => runtimeUrl(cli.values.url));
}
