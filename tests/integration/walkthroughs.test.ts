/**
 * The walkthroughs in docs/walkthroughs run as written: every `bash` block of each page, in order, in one
 * shell per page (after the setup blocks of README.md), against a runtime on a random port named only by
 * CIVICFLOW_URL. What each block prints as one-line JSON must equal the `text` block under it (`…` stands
 * for anything). Then the monthly report the fourth page builds has its figures.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startLocal, type Running } from '#support/runtime';

const DIR = join(ROOT, 'docs/walkthroughs');

interface Step {
  readonly line: number;
  readonly code: string;
  readonly expected?: string[];
}

/** The page's fenced blocks: each `bash` block, with the `text` block right after it as its output. */
export function stepsOf(markdown: string): Step[] {
  const fences = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    body: m[2]!,
    line: markdown.slice(0, m.index).split('\n').length,
    end: m.index! + m[0].length,
    start: m.index!,
  }));
  const steps: Step[] = [];
  fences.forEach((f, i) => {
    if (f.lang !== 'bash') return;
    const next = fences[i + 1];
    const output = next?.lang === 'text' && markdown.slice(f.end, next.start).trim() === '' ? next.body.trimEnd().split('\n') : undefined;
    steps.push({ line: f.line, code: f.body, expected: output });
  });
  return steps;
}

/** Runs the steps in one bash; returns each step's stdout, or throws with the step that failed. */
function runPage(file: string, steps: readonly Step[], env: Record<string, string>): Promise<string[]> {
  const script = ['set -eo pipefail', ...steps.map((s, i) => `printf '\\n@@step ${i}\\n'\n${s.code}`)].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const outputs = stdout.split(/\n@@step \d+\n/).slice(1);
      if (code === 0) return resolve(outputs);
      const failed = steps[outputs.length - 1];
      reject(new Error(`${file}: the block at line ${failed?.line} failed (exit ${code}):\n${failed?.code}\nstderr: ${stderr.slice(-2000)}\nstdout: ${stdout.slice(-1500)}`));
    });
  });
}

/** One-line JSON values in the output (jq -c, curl), leaving out npm's and the post command's other lines. */
function jsonLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    const t = line.trim();
    if (!/^[[{]/.test(t) || t === '{' || t === '[') return false;
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  });
}

const matches = (actual: string, expected: string) =>
  new RegExp(`^${expected.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(actual);

let rt: Running;
const reportHtml = join(ROOT, 'report.html');
const hadReport = existsSync(reportHtml);
beforeAll(async () => {
  rt = await startLocal();
}, 120_000);
afterAll(async () => {
  await rt?.stop();
  if (!hadReport) rmSync(reportHtml, { force: true });
});

const setup = stepsOf(readFileSync(join(DIR, 'README.md'), 'utf8'));
const pages = readdirSync(DIR).filter((f) => /^\d+-.*\.md$/.test(f)).sort();

describe('the walkthroughs, as written, on a random port', () => {
  it('has its pages with commands and outputs, and a setup that names no port but its default', () => {
    expect(pages).toEqual(['1-instant-approval.md', '2-reviews.md', '3-proactive-policies.md', '4-monthly-report.md', '5-publicity-and-objections.md', '6-bundles.md', '7-persons-and-time.md']);
    expect(setup.map((s) => s.code).join('\n')).toMatch(/export CIVICFLOW_URL=\$\{CIVICFLOW_URL:-http:\/\/127\.0\.0\.1:\d+\}/);
    for (const page of pages) {
      const text = readFileSync(join(DIR, page), 'utf8');
      expect([page, text.match(/localhost|127\.0\.0\.1|:3000\b/g)]).toEqual([page, null]);
      expect([page, stepsOf(text).filter((s) => s.expected).length > 0]).toEqual([page, true]);
    }
  });

  it.each(pages)('%s runs and prints what it shows', async (page) => {
    const steps = [...setup, ...stepsOf(readFileSync(join(DIR, page), 'utf8'))];
    const outputs = await runPage(page, steps, { CIVICFLOW_URL: rt.url });
    steps.forEach((step, i) => {
      if (!step.expected) return;
      const actual = jsonLines(outputs[i] ?? '');
      const where = `${page}, the block at line ${step.line}`;
      expect({ where, lines: actual.length }).toEqual({ where, lines: step.expected.length });
      step.expected.forEach((e, j) => {
        if (!matches(actual[j]!, e)) expect({ where, line: actual[j] }).toEqual({ where, line: e });
      });
    });
  }, 300_000);

  it('leaves a monthly report with its figures: sane latency, compression, the policy and the 差评', async () => {
    const report = (await rt.get('/reports/440305/2026-11')).body;
    const approval = report.total.approval;
    expect(approval.decisions).toBe(2);
    expect(approval.latencyMs.max).toBeLessThan(3 * 24 * 3_600_000);
    expect(approval.latencyMs.max).toBeGreaterThan(0);
    expect(approval.timeLimitCompression.mean).toBeGreaterThan(0.5);
    expect(report.policies.map((p: any) => p.policyId)).toEqual(['POL-2026-EXPORT-INS']);
    expect(report.total.review.negative).toBe(1);
    expect(report.total.review.rectificationRate).toBe(1);
    expect(readFileSync(reportHtml, 'utf8')).toContain('政务服务月度报告 2026-11');
  });
});
