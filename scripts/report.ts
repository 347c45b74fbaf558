/**
 * `npm run report -- --month 2026-11 [--url URL] [--district 440305] [--html report.html] [--json report.json]
 *                    [--file report.json] [--as /auditors/district] [--key KEY]`   (`-- --help` for the usage)
 *
 * Fetches a stored monthly report through the signed query API (GET /reports/{district}/{month}, signed as
 * an auditor), prints it as a terminal table and, with --html, writes a self-contained HTML page with charts
 * that opens offline. --file renders a report saved earlier (--json) without a running stage. The key of a
 * deployed stage comes from --key or CIVICFLOW_KEY (the stage's signing-keys secret); locally it is the
 * public development key.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { devKey, signedHeaders } from '#auth/signature';
import { stageConfig } from '#topology/stages';
import { renderHtml, renderText } from '#report/render';
import { MONTH_PATTERN, REPORT_KIND, type MonthlyReport } from '#report/domain/build';
import { commandLine, runMain, runtimeUrl, UsageError, type CommandSpec, type Parsed } from '#local/cli';

export const REPORT: CommandSpec = {
  command: 'npm run report',
  maxPositionals: 0,
  summary: 'Prints a stored monthly report as a terminal table and, with --html, writes it as a page to open or print.',
  options: [
    { name: 'month', value: 'YYYY-MM', help: 'the month (required unless --file)' },
    { name: 'url', value: 'URL', help: 'the stage (default: $CIVICFLOW_URL, else http://127.0.0.1:3000)' },
    { name: 'district', value: 'CODE', help: "the district (default: the local stage's, 440305)" },
    { name: 'html', value: 'FILE', help: 'also write the report as a self-contained HTML page' },
    { name: 'json', value: 'FILE', help: 'also save the report as JSON' },
    { name: 'file', value: 'FILE', help: 'render a report saved with --json instead of fetching one' },
    { name: 'as', value: 'PRINCIPAL', help: 'sign as this reader (default /auditors/district)' },
    { name: 'key', value: 'KEY', help: "that reader's signing key (default: $CIVICFLOW_KEY, else the local development key)" },
  ],
  notes: ['The HTML page\'s Chinese needs a CJK font where it is viewed (Debian: apt-get install fonts-noto-cjk).'],
};

export async function fetchReport(opts: {
  readonly url: string;
  readonly district: string;
  readonly month: string;
  readonly as: string;
  readonly key: string;
}): Promise<MonthlyReport> {
  const path = `/reports/${encodeURIComponent(opts.district)}/${encodeURIComponent(opts.month)}`;
  const res = await fetch(opts.url + path, { headers: signedHeaders(opts.as, opts.key, 'GET', path, '') });
  const text = await res.text();
  if (res.status !== 200) {
    const hint =
      res.status === 404 && /127\.0\.0\.1|localhost/.test(opts.url)
        ? `: locally, move the dev clock into the next month and build it with \`curl -s -X POST ${opts.url}/_dev/schedules/monthly-report\``
        : '';
    throw new Error(`GET ${path} answered ${res.status}${hint || `: ${text}`}`);
  }
  return JSON.parse(text) as MonthlyReport;
}

async function main(cli: Parsed): Promise<void> {
  const { values } = cli;
  const url = runtimeUrl(values.url);
  const district = values.district ?? stageConfig('local').district.code;
  const as = values.as ?? '/auditors/district';
  const key = values.key ?? process.env.CIVICFLOW_KEY ?? devKey(as);
  let report: MonthlyReport;
  if (values.file) {
    try {
      report = JSON.parse(readFileSync(values.file, 'utf8')) as MonthlyReport;
    } catch (error) {
      throw new UsageError(`${values.file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    if (report.kind !== REPORT_KIND) throw new UsageError(`${values.file} is not a CivicFlow monthly report`);
  } else {
    if (!values.month || !MONTH_PATTERN.test(values.month)) throw new UsageError(`give --month YYYY-MM (or --file saved.json); see: ${REPORT.command} -- --help`);
    report = await fetchReport({ url, district, month: values.month, as, key });
  }
  console.log(renderText(report));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nreport JSON: ${resolve(values.json)}`);
  }
  if (values.html) {
    writeFileSync(values.html, renderHtml(report));
    console.log(`\nHTML report: file://${resolve(values.html)}`);
    // The page names its fonts but embeds none (it stays small and offline): without a CJK font the
    // viewer draws every Chinese character as a box.
    if (!hasCjkFont()) console.log('note: no CJK font found here (fc-list :lang=zh); to view or render the page on this machine: apt-get install fonts-noto-cjk');
  }
}

/** Whether fontconfig knows a Chinese font; true where it cannot tell (no fc-list, e.g. macOS/Windows). */
function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return true;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cli = commandLine(REPORT);
  runMain(REPORT, () => main(cli), () => runtimeUrl(cli.values.url));
}
