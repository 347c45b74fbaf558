/** What every benchmark section gets and gives back. */
export interface BenchContext {
  readonly quick: boolean;
  /** Reports this section's progress in [0, 1] with a short label (drives the bar on stderr). */
  progress(fraction: number, label?: string): void;
  log(line: string): void;
}

export interface Missed {
  readonly aim: string;
  readonly result: string;
  /** What limits it, after profiling. */
  readonly limit: string;
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  /** Markdown: method and tables. */
  readonly body: string;
  /** One-line headline results for the summary and the README. */
  readonly headlines: readonly string[];
  readonly missed: readonly Missed[];
}

export type Section = (ctx: BenchContext) => Promise<SectionResult>;
