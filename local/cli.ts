/**
 * Command-line arguments of the project's commands (`npm start`, `post`, `report`, `redrive`, `resync`,
 * `simulate`, `bench`, `dictionary`, `calendar:dataset`):
 * every option is declared, anything else is refused with a one-line hint, and `--help` prints the usage.
 * A mistyped flag must never be ignored: a bench that ignored one ran for minutes and rewrote BENCHMARKS.md.
 */

export interface OptionSpec {
  /** Without the dashes, e.g. `port`. */
  readonly name: string;
  /** Placeholder of the value (`N`, `URL`); absent for a flag. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  /** As the user types it, e.g. `npm start` or `npm run post`. */
  readonly command: string;
  /** What follows `--` in the usage line, e.g. `<event.json>...`. */
  readonly positionals?: string;
  /** Largest number of positionals taken (0 when none; default unbounded). */
  readonly maxPositionals?: number;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** Lines after the options (environment variables, examples). */
  readonly notes?: readonly string[];
}

export interface Parsed {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** A mistake in how a command was called: printed as one line (plus the hint), exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function usage(spec: CommandSpec): string {
  // `help` counts too: a command with no options (or only short ones) still gets a gap before the text.
  const width = Math.max('help'.length, ...spec.options.map((o) => o.name.length + (o.value ? o.value.length + 1 : 0))) + 4;
  const lines = [
    `usage: ${spec.command} -- ${spec.positionals ? `${spec.positionals} ` : ''}[options]`,
    spec.summary,
    '',
    ...spec.options.map((o) => `  ${`--${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(width)}${o.help}`),
    `  ${'--help'.padEnd(width)}print this and exit`,
  ];
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** Edit distance, to recognise `--quik` as a mistyped `--quick`. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * npm keeps options written before `--` for itself: `npm start --port 3201` reaches the script as a bare
 * `3201`, with `npm_config_port=true` in its environment. Those variables name our options (or near
 * misses of them), so the mistake can be told apart from npm's own settings.
 */
function swallowedByNpm(spec: CommandSpec, env: NodeJS.ProcessEnv): { typed: string; meant: OptionSpec | undefined } | undefined {
  const names = [...spec.options, { name: 'help', help: '' }];
  for (const key of Object.keys(env)) {
    if (!key.startsWith('npm_config_')) continue;
    const typed = key.slice('npm_config_'.length).replaceAll('_', '-');
    const meant = names.find((o) => o.name === typed) ?? names.find((o) => typed.length >= 4 && distance(o.name, typed) <= 1);
    if (meant) return { typed, meant: meant.name === 'help' ? undefined : meant };
  }
  return undefined;
}

const hint = (spec: CommandSpec) => `see: ${spec.command} -- --help`;

export function parseCommandLine(spec: CommandSpec, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Parsed {
  const swallowed = swallowedByNpm(spec, env);
  if (swallowed !== undefined) {
    // A value npm separated from its option arrives as a bare argument: put it back after the option.
    const meant = swallowed.meant ? `--${swallowed.meant.name}` : '--help';
    const rest = argv.length ? ` ${argv.join(' ')}` : '';
    throw new UsageError(`npm took --${swallowed.typed} for itself (options go after --): write \`${spec.command} -- ${meant}${rest}\``);
  }
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const values: Record<string, string | undefined> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(arg.startsWith('--') ? 2 : 1, eq < 0 ? undefined : eq);
    const option = byName.get(name);
    if (!option) {
      const near = spec.options.find((o) => distance(o.name, name) <= 2);
      throw new UsageError(`unknown option ${arg.slice(0, eq < 0 ? undefined : eq)}${near ? ` (did you mean --${near.name}?)` : ''}; ${hint(spec)}`);
    }
    if (!option.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value; ${hint(spec)}`);
      flags.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value (${option.value}); ${hint(spec)}`);
    values[name] = value;
  }
  if (!help && spec.maxPositionals !== undefined && positionals.length > spec.maxPositionals) {
    const extra = positionals.slice(spec.maxPositionals).join(' ');
    throw new UsageError(`unexpected argument "${extra}"; ${hint(spec)}`);
  }
  return { values, flags, positionals, help };
}

/**
 * Parses, prints the usage and exits 0 on --help, or prints the one-line mistake and exits 2. What a
 * command's main does first.
 */
export function commandLine(spec: CommandSpec, argv: readonly string[] = process.argv.slice(2)): Parsed {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      console.log(usage(spec));
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${spec.command}: ${error.message}`);
    process.exit(2);
  }
}

/** A whole number within bounds, or a UsageError naming the option. */
export function wholeNumber(name: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/**
 * What a client command prints when the runtime does not answer: one line saying what to do, instead
 * of `TypeError: fetch failed` with its cause.
 */
export function unreachable(url: string, error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET') {
    return `nothing answers at ${url} (${code}): start the runtime with \`npm start\` in another terminal, or point at yours with --url or CIVICFLOW_URL`;
  }
  return undefined;
}

/** The runtime a client command talks to: --url, else CIVICFLOW_URL, else the default port. */
export function runtimeUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (option ?? env.CIVICFLOW_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
}

/** Runs a command's main: a UsageError or an unreachable runtime is one line on stderr, never a stack. */
export function runMain(spec: CommandSpec, main: () => Promise<number | void>, url?: () => string): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      const where = url?.();
      const cause = (error as { cause?: Error })?.cause?.message;
      const message = (error as Error)?.message ?? String(error);
      const line =
        error instanceof UsageError
          ? message
          : ((where && unreachable(where, error)) ?? (cause ? `${message} (${where ? `${where}: ` : ''}${cause})` : message));
      console.error(`${spec.command}: ${line}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
