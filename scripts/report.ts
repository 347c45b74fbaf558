/**
 * `npm run report -- --month 2026-11 [--url http://127.0.0.1:3000] [--district 440305] [--html report.html]
 *                    [--json report.json] [--file report.json] [--as /auditors/district] [--key KEY]`
 *
 * Fetches a stored monthly report through the signed query API (GET /reports/{district}/{month}, signed as
 * an auditor), prints it as a terminal table and, with --html, writes a self-contained HTML page with charts
 * that opens offline. --file renders a report saved earlier (--json) without a running stage. The key of a
 * deployed stage comes from --key or CIVICFLOW_KEY (the stage's signing-keys secret); locally it is the
 * public development key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { devKey, signedHeaders } from '../shared/auth/signature';
import { stageConfig } from '../infra/config';
import { renderHtml, renderText } from '../shared/report/render';
import { MONTH_PATTERN, REPORT_KIND, type MonthlyReport } from '../shared/report/build';

const USAGE =
  'usage: npm run report -- --month YYYY-MM [--url URL] [--district CODE] [--html out.html] [--json out.json] [--file saved.json] [--as PRINCIPAL] [--key KEY]';

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
        ? `\nlocally, build last month's report with: curl -s -X POST ${opts.url}/_dev/schedules/monthly-report (after moving the clock into the next month)`
        : '';
    throw new Error(`GET ${path} answered ${res.status}: ${text}${hint}`);
  }
  return JSON.parse(text) as MonthlyReport;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = [...argv];
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value\n${USAGE}`);
    args.splice(i, 2);
    return v;
  };
  const file = opt('--file');
  const month = opt('--month');
  const url = (opt('--url') ?? process.env.CIVICFLOW_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const district = opt('--district') ?? stageConfig('local').district.code;
  const as = opt('--as') ?? '/auditors/district';
  const key = opt('--key') ?? process.env.CIVICFLOW_KEY ?? devKey(as);
  const html = opt('--html');
  const json = opt('--json');
  if (args.length > 0) throw new Error(`unknown arguments: ${args.join(' ')}\n${USAGE}`);

  let report: MonthlyReport;
  if (file) {
    report = JSON.parse(readFileSync(file, 'utf8')) as MonthlyReport;
    if (report.kind !== REPORT_KIND) throw new Error(`${file} is not a CivicFlow monthly report`);
  } else {
    if (!month || !MONTH_PATTERN.test(month)) throw new Error(`--month YYYY-MM is required\n${USAGE}`);
    report = await fetchReport({ url, district, month, as, key });
  }
  console.log(renderText(report));
  if (json) {
    writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nreport JSON: ${resolve(json)}`);
  }
  if (html) {
    writeFileSync(html, renderHtml(report));
    console.log(`\nHTML report: file://${resolve(html)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
