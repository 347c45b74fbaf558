/**
 * `npm run resync -- (--record ID... | --day YYYY-MM-DD | --state STATE...) [--state ...] [--no-remap] [--url URL]`
 * (`-- --help`)
 *
 * Re-pushes 好差评 upward-sync records to the platform after the cause of their failure is fixed: REJECTED
 * and PARKED records, and PENDING / SENT ones stuck past their timeout; an ACKED record is never sent
 * again. Each record is mapped again from its case as stored now (so a catalogue or code-table fix takes
 * effect) unless --no-remap, and the sender runs right after. Locally it asks the running runtime
 * (`--url`, else CIVICFLOW_URL, else http://127.0.0.1:3000); in AWS the same payload is given to the
 * stage's `civicflow-<stage>-upwardSync` function (`aws lambda invoke`, see docs/operations.md).
 */
import { commandLine, runMain, runtimeUrl, UsageError, type CommandSpec, type Parsed } from '#local/cli';

const STATES = ['PENDING', 'SENT', 'ACKED', 'REJECTED', 'PARKED'];

export const RESYNC: CommandSpec = {
  command: 'npm run resync',
  summary: 'Re-pushes upward-sync records (好差评 → the platform) by record, by day or by state, once the cause is fixed.',
  options: [
    { name: 'record', value: 'ID', help: 'a record id (<projectNo>#<assessNumber>), or several separated by commas' },
    { name: 'day', value: 'YYYY-MM-DD', help: 'the records whose review or step happened on this local day' },
    { name: 'state', value: 'STATE', help: `the records in these states (comma-separated: ${STATES.join(', ')}); with --day, only these` },
    { name: 'no-remap', help: 'send the stored payload as it is instead of mapping the record again from its case' },
    { name: 'actor', value: 'NAME', help: 'who re-pushes, for the audit trail (default: $USER)' },
    { name: 'url', value: 'URL', help: 'the local runtime (default: $CIVICFLOW_URL, else http://127.0.0.1:3000)' },
  ],
  maxPositionals: 0,
  notes: [
    'Examples:',
    '  npm run resync -- --state REJECTED,PARKED',
    "  npm run resync -- --day 2026-11-02 --state REJECTED",
    "  npm run resync -- --record 'RV-C1#1'",
    'Prints what was re-pushed, refused again (with the reasons), skipped (with why), not found, failed (with why) and deferred, then what the sender did.',
    'A re-push that runs short of time lists the records it did not start in "deferred", and those whose re-push failed in "failed": re-push them with --record.',
  ],
};

function listOf(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function statesOf(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const states = listOf(raw).map((s) => s.toUpperCase());
  const unknown = states.filter((s) => !STATES.includes(s));
  if (states.length === 0 || unknown.length > 0) throw new UsageError(`--state: ${unknown.length ? `unknown state ${unknown.join(', ')}` : 'give a state'}; one or more of ${STATES.join(', ')}`);
  return states;
}

/** The sender's payload for a command line (exported for the unit test). */
export function repushRequest(cli: Pick<Parsed, 'values' | 'flags'>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const { record, day, state } = cli.values;
  const states = statesOf(state);
  if (record !== undefined && (day !== undefined || state !== undefined)) throw new UsageError('--record names records itself: give it alone, or use --day / --state');
  let repush: Record<string, unknown>;
  if (record !== undefined) {
    const ids = listOf(record);
    if (ids.length === 0) throw new UsageError('--record: give a record id such as "CASE-1#1"');
    repush = { by: 'record', recordIds: ids };
  } else if (day !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new UsageError(`--day: expected a date YYYY-MM-DD, got "${day}"`);
    repush = { by: 'day', day, ...(states ? { states } : {}) };
  } else if (states !== undefined) {
    repush = { by: 'state', states };
  } else {
    throw new UsageError('say which records: --record ID, --day YYYY-MM-DD or --state STATE (see --help)');
  }
  return { repush, remap: !cli.flags.has('no-remap'), actor: cli.values.actor ?? `operator:${env.USER ?? 'unknown'}` };
}

async function main(cli: Parsed): Promise<number> {
  const body = repushRequest(cli);
  const base = runtimeUrl(cli.values.url);
  const res = await fetch(`${base}/_dev/upward/resync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status === 404) throw new Error(`${base} has no /_dev/upward/resync: is a CivicFlow local runtime running there?`);
  let answer: { error?: string };
  try {
    answer = JSON.parse(text) as { error?: string };
  } catch {
    throw new Error(`${base} answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new Error(answer.error ?? `${base} answered ${res.status}`);
  console.log(JSON.stringify(answer, null, 2));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/resync.ts')) {
  const cli = commandLine(RESYNC);
  runMain(RESYNC, () => main(cli), () => runtimeUrl(cli.values.url));
}
