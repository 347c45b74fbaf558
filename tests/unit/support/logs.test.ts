/**
 * The test helper for log output and the Powertools environment (tests/support/logs.ts): a capture keeps
 * what it accepts and prints the rest, and gives the streams back; `useEnv` sets variables for the file and
 * puts back what was there. The streams under it are jest spies here, so what passed through is seen.
 */
import { jest } from '@jest/globals';
import { captureLogs, useEnv } from '#support/logs';

process.env.CIVICFLOW_LOGS_TEST_GONE = 'was here';
delete process.env.CIVICFLOW_LOGS_TEST_SET;
useEnv({ CIVICFLOW_LOGS_TEST_SET: 'set', CIVICFLOW_LOGS_TEST_GONE: undefined });
afterAll(() => {
  // Registered after useEnv's own afterAll, so run after it.
  expect([process.env.CIVICFLOW_LOGS_TEST_SET, process.env.CIVICFLOW_LOGS_TEST_GONE]).toEqual([undefined, 'was here']);
  delete process.env.CIVICFLOW_LOGS_TEST_GONE;
});

/** Spies standing in for the streams: what reaches them is recorded, not printed. */
function streams() {
  const printed = { stdout: [] as string[], stderr: [] as string[] };
  const spies = (['stdout', 'stderr'] as const).map((name) =>
    jest.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed[name].push(String(chunk));
      return true;
    }),
  );
  return { printed, restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe('captureLogs', () => {
  it('keeps the lines it accepts from both streams, in order, and prints the others', () => {
    const s = streams();
    try {
      const logs = captureLogs({ keep: (line) => line.startsWith('{') });
      process.stdout.write('{"level":"INFO","message":"a"}\n');
      process.stderr.write('progress\n');
      process.stderr.write('{"level":"ERROR","message":"b"}\n');
      logs.restore();
      process.stdout.write('{"after":true}\n');
      expect(logs.lines).toEqual(['{"level":"INFO","message":"a"}\n', '{"level":"ERROR","message":"b"}\n']);
      expect(logs.text()).toBe('{"level":"INFO","message":"a"}\n{"level":"ERROR","message":"b"}\n');
      expect(logs.json()).toEqual([
        { level: 'INFO', message: 'a' },
        { level: 'ERROR', message: 'b' },
      ]);
      expect(s.printed).toEqual({ stdout: ['{"after":true}\n'], stderr: ['progress\n'] });
    } finally {
      s.restore();
    }
  });

  it('from one stream leaves the other as it is; clear forgets what was kept', () => {
    const s = streams();
    try {
      const logs = captureLogs({ from: 'stderr' });
      process.stdout.write('out\n');
      process.stderr.write('first\n');
      logs.clear();
      process.stderr.write('second\n');
      logs.restore();
      expect(logs.lines).toEqual(['second\n']);
      expect(s.printed).toEqual({ stdout: ['out\n'], stderr: [] });
    } finally {
      s.restore();
    }
  });

  it('tells onLine of each line kept as it is written', () => {
    const s = streams();
    const seen: Array<[string, number]> = [];
    try {
      const logs = captureLogs({ from: 'stdout', onLine: (line) => seen.push([line, logs.lines.length]) });
      process.stdout.write('one\n');
      process.stdout.write('two\n');
      logs.restore();
    } finally {
      s.restore();
    }
    expect(seen).toEqual([
      ['one\n', 1],
      ['two\n', 2],
    ]);
  });
});

describe('useEnv', () => {
  it('sets the variables at once, and removes those given as undefined', () => {
    expect(process.env.CIVICFLOW_LOGS_TEST_SET).toBe('set');
    expect('CIVICFLOW_LOGS_TEST_GONE' in process.env).toBe(false);
  });
});
