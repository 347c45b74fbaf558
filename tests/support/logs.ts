/**
 * What a test file needs around the Powertools logger and metrics: the environment they read when they are
 * created (at the import of the module under test), and the log lines they print.
 *
 *   useEnv(QUIET_POWERTOOLS);                          // now, before the import; put back after the file
 *   const { runMonthlyReport } = await import('#report/service');
 *
 *   const logs = captureLogs({ from: 'stdout' });
 *   try { logger.info('x'); } finally { logs.restore(); }
 *   expect(logs.json()).toEqual([expect.objectContaining({ message: 'x' })]);
 */

/** No log line and no metric: for a file whose expected failures would otherwise print. */
export const QUIET_POWERTOOLS = { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;

/**
 * Sets `vars` in process.env now (`undefined` removes one) and puts back what was there after the file's
 * last test. Call it before the module under test is imported (`await import(…)`): Powertools reads
 * LOG_LEVEL, POWERTOOLS_* and CIVICFLOW_LOCAL when the logger and metrics are created. Before or after
 * `useTestDynamo()`: each puts back only the variables it set. (Jest gives each test file its own copy of
 * process.env, so nothing set here reaches another file; this keeps the file's later hooks honest.)
 */
export function useEnv(vars: Readonly<Record<string, string | undefined>>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  assign(vars);
  afterAll(() => assign(saved));
}

function assign(vars: Readonly<Record<string, string | undefined>>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

export interface CapturedLogs {
  /** Each write kept, as written: one log line each (Powertools writes a line at a time). Grows as the code logs. */
  readonly lines: readonly string[];
  /** The lines kept, as one text. */
  text(): string;
  /** The lines kept, parsed: Powertools prints each as a JSON object. */
  json(): Array<Record<string, unknown>>;
  /** Forgets the lines kept so far. */
  clear(): void;
  /** Gives the streams their own `write` back. */
  restore(): void;
}

export interface CaptureOptions {
  /** Powertools prints ERROR and WARN lines on stderr, the others on stdout. Both by default. */
  readonly from?: 'stdout' | 'stderr' | 'both';
  /** Which writes to keep (the others are printed as usual); every one by default. */
  readonly keep?: (line: string) => boolean;
  /** Called with each line kept as it is written: for what must be read at that moment. */
  readonly onLine?: (line: string) => void;
}

/**
 * Keeps what is written on stdout and stderr from now until `restore()` (call it in a `finally` or an
 * `afterAll`): kept lines are not printed. The streams' `write` is replaced, not spied on, so that
 * `jest.restoreAllMocks()` leaves a capture in place.
 */
export function captureLogs(options: CaptureOptions = {}): CapturedLogs {
  const { from = 'both', keep = () => true, onLine } = options;
  const lines: string[] = [];
  const streams = from === 'both' ? [process.stdout, process.stderr] : [process[from]];
  const restores = streams.map((stream) => {
    const write = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const line = String(chunk);
      if (!keep(line)) return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      lines.push(line);
      onLine?.(line);
      return true;
    }) as typeof stream.write;
    return () => void (stream.write = write);
  });
  return {
    lines,
    text: () => lines.join(''),
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => void (lines.length = 0),
    restore: () => {
      for (const restore of restores.splice(0)) restore();
    },
  };
}
