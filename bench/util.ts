/** Small helpers shared by the sections. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function geomean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** 12345678 → "12.3 M", 45678 → "45.7 k". */
export function si(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

export const ratio = (x: number) => (x >= 100 ? `${x.toFixed(0)}×` : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], align?: string): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r')).join('');
  const sep = [...a].map((c) => (c === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets the event loop breathe (progress output, timers) between tight synchronous loops. */
export const tick = () => new Promise((r) => setImmediate(r));
