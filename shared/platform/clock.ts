/**
 * The one clock of the functions. In a deployed stage it is the wall clock. The local runtime (and only
 * it) may shift it with `setClockOffset`, so deadlines, reminders and defaults can be exercised in seconds;
 * no deployed route can reach that function.
 */
let offsetMs = 0;

export function now(): Date {
  return new Date(Date.now() + offsetMs);
}

export function nowIso(): string {
  return now().toISOString();
}

/** Local runtime only. */
export function setClockOffset(ms: number): void {
  offsetMs = ms;
}

export function clockOffset(): number {
  return offsetMs;
}
