/** The commands' argument parsing: declared options only, npm's swallowing detected, one-line mistakes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, runtimeUrl, unreachable, usage, UsageError, wholeNumber, type CommandSpec } from '#local/cli';

const SPEC: CommandSpec = {
  command: 'npm run thing',
  maxPositionals: 1,
  summary: 'Does the thing.',
  options: [
    { name: 'port', value: 'N', help: 'the port' },
    { name: 'quick', help: 'be quick' },
  ],
};

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCommandLine(SPEC, argv, env);
const mistake = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
};

describe('parseCommandLine', () => {
  it('takes declared options, as --name value or --name=value, flags and positionals', () => {
    expect(parse(['--port', '3201', '--quick', 'x'])).toEqual({ values: { port: '3201' }, flags: new Set(['quick']), positionals: ['x'], help: false });
    expect(parse(['--port=0']).values).toEqual({ port: '0' });
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h', 'a', 'b']).help).toBe(true); // --help wins over other mistakes
  });

  it('refuses an unknown option, naming the nearest known one', () => {
    expect(mistake(['--quik'])).toBe('unknown option --quik (did you mean --quick?); see: npm run thing -- --help');
    expect(mistake(['--verbose'])).toBe('unknown option --verbose; see: npm run thing -- --help');
    expect(mistake(['--port=1', '--frobnicate=2'])).toMatch(/^unknown option --frobnicate;/);
  });

  it('refuses a missing value, a value given to a flag, and extra arguments', () => {
    expect(mistake(['--port'])).toMatch(/^--port needs a value \(N\)/);
    expect(mistake(['--port', '--quick'])).toMatch(/^--port needs a value/);
    expect(mistake(['--quick=yes'])).toMatch(/^--quick takes no value/);
    expect(mistake(['a', 'b'])).toBe('unexpected argument "b"; see: npm run thing -- --help');
  });

  it('tells `npm run thing --port 3201` (npm kept --port, the script got a bare 3201) to put the option after --', () => {
    expect(mistake(['3201'], { npm_config_port: 'true' })).toBe(
      'npm took --port for itself (options go after --): write `npm run thing -- --port 3201`',
    );
    expect(mistake([], { npm_config_quik: 'true' })).toBe('npm took --quik for itself (options go after --): write `npm run thing -- --quick`');
    // npm's own settings are not mistaken for ours.
    expect(parse([], { npm_config_cache: '/root/.npm', npm_config_user_agent: 'npm/11', npm_config_yes: '' }).help).toBe(false);
  });
});

describe('helpers', () => {
  it('prints a usage with every option and --help', () => {
    const text = usage(SPEC);
    expect(text.split('\n')[0]).toBe('usage: npm run thing -- [options]');
    expect(text).toMatch(/--port N +the port/);
    expect(text).toMatch(/--help +print this and exit/);
  });

  it('prints --help apart from its text for a command with no options, or only short ones', () => {
    const bare: CommandSpec = { command: 'npm run bare', maxPositionals: 0, summary: 'Writes a file.', options: [] };
    expect(usage(bare).split('\n')).toContain('  --help  print this and exit');
    const short: CommandSpec = { ...bare, options: [{ name: 'q', help: 'quietly' }] };
    expect(usage(short).split('\n')).toEqual(expect.arrayContaining(['  --q     quietly', '  --help  print this and exit']));
  });

  it('checks whole numbers within bounds', () => {
    expect(wholeNumber('port', '3201', 0, 65535)).toBe(3201);
    expect(wholeNumber('port', undefined, 0)).toBeUndefined();
    expect(() => wholeNumber('port', '70000', 0, 65535)).toThrow('--port: expected a whole number from 0 to 65535, got "70000"');
    expect(() => wholeNumber('pollers', '1.5', 1)).toThrow(UsageError);
  });

  it('finds the runtime: --url, else CIVICFLOW_URL, else port 3000', () => {
    expect(runtimeUrl('http://127.0.0.1:3201/', {})).toBe('http://127.0.0.1:3201');
    expect(runtimeUrl(undefined, { CIVICFLOW_URL: 'http://127.0.0.1:4000' })).toBe('http://127.0.0.1:4000');
    expect(runtimeUrl(undefined, {})).toBe('http://127.0.0.1:3000');
  });

  it('turns a refused connection into one line saying what to do', () => {
    const error = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(unreachable('http://127.0.0.1:3000', error)).toMatch(/^nothing answers at http:\/\/127\.0\.0\.1:3000 \(ECONNREFUSED\): start the runtime with `npm start`/);
    expect(unreachable('http://127.0.0.1:3000', new Error('other'))).toBeUndefined();
  });
});

describe("the project's npm scripts", () => {
  // `npm run calendar:dataset -- --help` once ignored --help and regenerated the calendar: every command a
  // user runs through npm parses its command line first, so --help prints the usage and a typo is refused.
  const ROOT = join(import.meta.dirname, '../../..');
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const entries = Object.entries(scripts).flatMap(([name, line]) => {
    const file = line.match(/^node --import tsx (\S+\.ts)$/)?.[1];
    return file === undefined ? [] : [{ name, file }];
  });

  it('run their commands from TypeScript files', () => {
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['start', 'post', 'report', 'simulate', 'calendar:dataset', 'dictionary']));
  });

  it.each(entries.map((e) => [e.name, e.file]))('%s (%s) parses its command line with commandLine()', (_name, file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toMatch(/\bcommandLine\(/);
  });
});
