/** A text progress bar on stderr, redrawn in place on a terminal and printed every 10 % otherwise. */
export class ProgressBar {
  private lastPrinted = -1;
  private readonly tty = process.stderr.isTTY === true;
  private readonly started = Date.now();

  constructor(
    private readonly weights: Record<string, number>,
    private readonly width = 30,
  ) {}

  private done = 0;
  private current = '';
  private currentWeight = 0;

  begin(section: string): void {
    this.current = section;
    this.currentWeight = this.weights[section] ?? 1;
  }

  end(): void {
    this.done += this.currentWeight;
    this.currentWeight = 0;
    this.draw(0, 'done');
  }

  update(fraction: number, label = ''): void {
    this.draw(Math.max(0, Math.min(1, fraction)), label);
  }

  private draw(fraction: number, label: string): void {
    const total = Object.values(this.weights).reduce((a, b) => a + b, 0) || 1;
    const overall = Math.min(1, (this.done + fraction * this.currentWeight) / total);
    const filled = Math.round(overall * this.width);
    const secs = Math.round((Date.now() - this.started) / 1000);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(Math.round(overall * 100)).padStart(3)}% ${secs}s ${this.current}${label ? `: ${label}` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 100) - 1).padEnd((process.stderr.columns ?? 100) - 1)}`);
    } else {
      const step = Math.floor(overall * 20);
      if (step !== this.lastPrinted) {
        this.lastPrinted = step;
        process.stderr.write(line + '\n');
      }
    }
  }

  finish(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
