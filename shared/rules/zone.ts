/**
 * The bureau's time zone, for the rules engine: local calendar days of instants, and the instants at
 * which a local day begins. Any IANA zone works, daylight saving included; Asia/Shanghai (the default)
 * simply never changes offset after 1991.
 *
 * Offsets come from Intl (the runtime's tz data, so the same on a laptop and in Lambda) and are cached
 * in chunks of 2^30 ms (about 12.4 days): a chunk knows its offset at the start, the one transition in
 * it (if any, to the second, as tz data has it) and the offset after. Two offset changes within 12 days
 * do not occur in the tz data of this century (Morocco's Ramadan pause, the shortest, lasts a month).
 * Evaluation thus pays one comparison and, on a chunk change, one Map lookup per instant it localises.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;
const CHUNK_MS = 2 ** 30;
/** Intl formats years 1..9999 only; instants outside take the offset at the nearest edge. */
const MIN_MS = Date.UTC(1, 0, 2);
const MAX_MS = Date.UTC(9999, 11, 30);
/** Bounds the cache of a long-lived process: about 280 years of chunks per zone. */
const MAX_CHUNKS = 8_192;

export class InvalidTimeZoneError extends RangeError {
  override readonly name = 'InvalidTimeZoneError';
  readonly code = 'INVALID_TIME_ZONE';
  constructor(readonly timeZone: unknown) {
    super(`timeZone must be an IANA time zone such as "Asia/Shanghai"; got ${JSON.stringify(timeZone)}`);
  }
}

interface Chunk {
  readonly key: number;
  /** Offset (ms) before `at`. */
  readonly before: number;
  /** The instant the offset changes inside the chunk; Infinity when it does not. */
  readonly at: number;
  readonly after: number;
}

/** A time zone's offsets, local days and day starts. Get one with `timeZone(name)`. */
export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly chunks = new Map<number, Chunk>();
  private last: Chunk = { key: NaN, before: 0, at: Infinity, after: 0 };

  constructor(readonly name: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        hourCycle: 'h23',
      });
    } catch {
      throw new InvalidTimeZoneError(name);
    }
  }

  /** UTC offset in milliseconds at an instant (local = UTC + offset). */
  offsetAt(ms: number): number {
    const key = Math.floor(ms / CHUNK_MS);
    let c = this.last;
    if (c.key !== key) {
      c = this.chunks.get(key) ?? this.chunk(key);
      this.last = c;
    }
    return ms < c.at ? c.before : c.after;
  }

  /** Local day number (days since 1970-01-01) of an instant. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY_MS);
  }

  /**
   * Every instant near the beginning of local day `day` at which "the local date is before `day`" may
   * change: the local midnight under each offset in force around it, and any offset change there (a
   * clock set back across midnight makes the local date go back for a while). A superset: callers test
   * each instant. In a zone without a transition that day it is the one local midnight.
   */
  dayBoundaries(day: number): number[] {
    const wallMidnight = day * DAY_MS;
    const out = new Set<number>();
    const first = Math.floor((wallMidnight - 2 * DAY_MS) / CHUNK_MS);
    const last = Math.floor((wallMidnight + 2 * DAY_MS) / CHUNK_MS);
    for (let key = first; key <= last; key += 1) {
      const c = this.chunks.get(key) ?? this.chunk(key);
      out.add(wallMidnight - c.before);
      if (c.at !== Infinity) {
        out.add(c.at);
        out.add(wallMidnight - c.after);
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  /** The first instant at which the local date turns to `day` (or past it, for a day the zone skips). */
  startOfDay(day: number): number {
    let start = NaN;
    for (const t of this.dayBoundaries(day)) {
      if (this.dayOf(t) >= day && this.dayOf(t - 1) < day) start = start === start ? Math.min(start, t) : t;
    }
    return start;
  }

  /** Offset at the start of the second holding `ms`, from Intl. */
  private rawOffset(ms: number): number {
    const clamped = ms < MIN_MS ? MIN_MS : ms > MAX_MS ? MAX_MS : ms;
    const second = clamped - (((clamped % 1000) + 1000) % 1000);
    const f: Record<string, number> = {};
    for (const p of this.format.formatToParts(second)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
    const fixed = f.year! < 100 ? new Date(wall).setUTCFullYear(f.year!) : wall;
    return fixed - second;
  }

  private chunk(key: number): Chunk {
    const lo = key * CHUNK_MS;
    const hi = lo + CHUNK_MS - 1;
    const before = this.rawOffset(lo);
    const after = this.rawOffset(hi);
    let at = Infinity;
    if (before !== after) {
      // Offsets change on whole seconds: search seconds, keeping rawOffset(l) === before !== rawOffset(r).
      let l = Math.floor(lo / 1000);
      let r = Math.floor(hi / 1000);
      while (r - l > 1) {
        const mid = Math.floor((l + r) / 2);
        if (this.rawOffset(mid * 1000) === before) l = mid;
        else r = mid;
      }
      at = Math.max(r * 1000, lo);
    }
    if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
    const c: Chunk = { key, before, at, after };
    this.chunks.set(key, c);
    return c;
  }
}

const zones = new Map<string, TimeZone>();

/** The time zone named `name` (IANA), one shared instance per name; throws InvalidTimeZoneError. */
export function timeZone(name: string = DEFAULT_TIME_ZONE): TimeZone {
  let z = zones.get(name);
  if (z === undefined) {
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidTimeZoneError(name);
    z = new TimeZone(name);
    zones.set(name, z);
  }
  return z;
}
