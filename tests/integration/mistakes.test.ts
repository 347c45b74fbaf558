/**
 * The ordinary mistakes of a first hour, as a user makes them through npm: each gets one line saying
 * what to do (no stack), and leaves no process behind — in particular no DynamoDB Local JVM.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#support/runtime';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  /** stderr without npm's own warnings (e.g. `npm warn Unknown cli config "--port"`). */
  readonly lines: string[];
}

function npm(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn') && !l.startsWith('npm error'));
      resolve({ code, stdout, lines });
    });
  });
}

/** Java processes whose command line names `marker` (a data folder of this test). */
function javaWith(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('java') && l.includes(marker));
}

let dir: string;
let busy: Server;
let busyPort: number;
let freePort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'civicflow-mistakes-'));
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  busyPort = (busy.address() as { port: number }).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  freePort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  await new Promise((r) => busy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('on a port in use: one line naming --port, exit 1, and no JVM started or left', async () => {
    const data = join(dir, 'in-use');
    const out = await npm(['start', '--', '--port', String(busyPort), '--data', data]);
    expect(out.code).toBe(1);
    expect(out.lines).toEqual([expect.stringMatching(new RegExp(`^npm start: port ${busyPort} is in use .*npm start -- --port ${busyPort + 1}.*--port 0`))]);
    expect(javaWith(data)).toEqual([]);
  }, 120_000);

  it('failing after DynamoDB Local started: one line, and the JVM is stopped', async () => {
    const data = join(dir, 'sqs-is-a-file');
    execFileSync('mkdir', ['-p', data]);
    writeFileSync(join(data, 'sqs'), 'not a folder'); // the SQS stand-in cannot make its folder
    const out = await npm(['start', '--', '--port', '0', '--data', data]);
    expect(out.code).toBe(1);
    expect(out.lines).toEqual([expect.stringMatching(/^npm start: EEXIST: file already exists, mkdir .*sqs'$/)]);
    expect(javaWith(data)).toEqual([]);
  }, 120_000);

  it('Ctrl-C in its terminal: says it is stopping, restarts nothing, and leaves no JVM', async () => {
    const data = join(dir, 'ctrl-c');
    // Its own process group, as a terminal's foreground job: Ctrl-C sends SIGINT to npm, node and the JVM.
    const child = spawn('npm', ['start', '--', '--port', '0', '--data', data, '--no-timers'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    const ready = await Promise.race([
      new Promise<boolean>((r) => child.stdout.on('data', () => stdout.includes('Ctrl-C stops') && r(true))),
      exited.then(() => false),
    ]);
    expect({ ready, stderr }).toEqual({ ready: true, stderr: expect.any(String) });
    expect(javaWith(data)).toHaveLength(1);
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    expect(lines).toEqual(['SIGINT: stopping...']);
    expect(javaWith(data)).toEqual([]);
  }, 120_000);

  it('`npm start --port 3201` (npm keeps --port): one line with the command to type', async () => {
    const out = await npm(['start', '--port', '3201']);
    expect(out.code).toBe(2);
    expect(out.lines).toEqual(['npm start: npm took --port for itself (options go after --): write `npm start -- --port 3201`']);
  }, 60_000);

  it('an unknown option or argument: one line with the nearest option', async () => {
    expect((await npm(['start', '--', '--prot', '3201'])).lines).toEqual(['npm start: unknown option --prot (did you mean --port?); see: npm start -- --help']);
    expect((await npm(['start', '--', '--pollers', 'many'])).lines).toEqual(['npm start: --pollers: expected a whole number from 1 to 100, got "many"']);
  }, 60_000);
});

describe('npm run bench', () => {
  it('refuses a mistyped flag before running anything, and leaves BENCHMARKS.md alone', async () => {
    const before = statSync(join(ROOT, 'BENCHMARKS.md')).mtimeMs;
    const typo = await npm(['run', 'bench', '--', '--quik']);
    expect([typo.code, typo.lines]).toEqual([2, ['npm run bench: unknown option --quik (did you mean --quick?); see: npm run bench -- --help']]);
    const swallowed = await npm(['run', 'bench', '--quick']);
    expect([swallowed.code, swallowed.lines]).toEqual([2, ['npm run bench: npm took --quick for itself (options go after --): write `npm run bench -- --quick`']]);
    const section = await npm(['run', 'bench', '--', '--only', 'rulez']);
    expect(section.code).toBe(2);
    expect(section.lines).toEqual([expect.stringMatching(/^npm run bench: unknown section "rulez"; known: rules, matching/)]);
    expect(statSync(join(ROOT, 'BENCHMARKS.md')).mtimeMs).toBe(before);
  }, 60_000);
});

describe('the client commands with no runtime running', () => {
  const url = () => `http://127.0.0.1:${freePort}`;
  const nothing = () => new RegExp(`nothing answers at http://127\\.0\\.0\\.1:${freePort} \\(ECONNREFUSED\\): start the runtime with \`npm start\``);

  it('npm run post: one line, whether the URL comes from CIVICFLOW_URL or --url', async () => {
    const file = 'events/samples/gov.catalog.item.published/weather-certificate.json';
    const byEnv = await npm(['run', 'post', '--', file], { CIVICFLOW_URL: url() });
    expect([byEnv.code, byEnv.lines]).toEqual([1, [expect.stringMatching(nothing())]]);
    const byFlag = await npm(['run', 'post', '--', file, '--url', url()]);
    expect(byFlag.lines).toEqual([expect.stringMatching(nothing())]);
    expect((await npm(['run', 'post', '--', 'no-such.json'])).lines).toEqual(['npm run post: no-such.json: no such file']);
  }, 60_000);

  it('npm run report and npm run redrive: one line each, and CIVICFLOW_URL is honoured', async () => {
    const report = await npm(['run', 'report', '--', '--month', '2026-11'], { CIVICFLOW_URL: url() });
    expect([report.code, report.lines]).toEqual([1, [expect.stringMatching(nothing())]]);
    const redrive = await npm(['run', 'redrive', '--', 'review'], { CIVICFLOW_URL: url() });
    expect([redrive.code, redrive.lines]).toEqual([1, [expect.stringMatching(nothing())]]);
    expect((await npm(['run', 'redrive', '--', 'review', '--mx', '3'])).lines).toEqual([
      'npm run redrive: unknown option --mx (did you mean --max?); see: npm run redrive -- --help',
    ]);
  }, 60_000);

  it('every command prints its usage on --help and exits 0', async () => {
    for (const [command, first] of [
      [['start'], 'usage: npm start -- [options]'],
      [['run', 'post'], 'usage: npm run post -- <event.json>... [options]'],
      [['run', 'report'], 'usage: npm run report -- [options]'],
      [['run', 'redrive'], 'usage: npm run redrive -- <queue> [options]'],
      [['run', 'bench'], 'usage: npm run bench -- [options]'],
      [['run', 'simulate'], 'usage: npm run simulate -- <draft.json> [options]'],
    ] as const) {
      const out = await npm([...command, '--', '--help']);
      expect([command.join(' '), out.code, out.lines]).toEqual([command.join(' '), 0, []]);
      expect(out.stdout).toContain(first);
    }
  }, 90_000);
});
