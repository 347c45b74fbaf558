/**
 * Development-only controls under /_dev (and the OpenAPI document): the functions' clock, schedules,
 * queue depths, alarms, outbound events, draining, holding the queue pollers, and DynamoDB Local's faults.
 * No deployed stage has them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareInstants } from '#contract/instants';
import { isRfc3339Timestamp, normaliseTimestamp, TIMESTAMP_MESSAGE } from '#contract/timestamp';
import { clockOffset, setClockOffset } from '#platform/clock';
import type { FunctionName, QueueName } from '#topology';
import type { DevRoute } from './gateway';
import type { LocalQueue } from './provision';
import type { OutboundRecord } from './sink';
import type { DynamoSupervisor } from './supervisor';
import { parseDuration, ROOT } from './runtime';
import type { Alarm } from './watch';

export interface DevContext {
  readonly dataDir: string | undefined;
  readonly log: (line: string) => void;
  readonly supervisor: DynamoSupervisor;
  readonly outbound: readonly OutboundRecord[];
  readonly alarms: readonly Alarm[];
  readonly fireSchedule: (name: string) => Promise<unknown>;
  /** Runs a function's handler with an event, as `aws lambda invoke` would. */
  readonly invoke: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** More routes (the upward platform's stand-in when the stage uses it). */
  readonly extra?: Readonly<Record<string, DevRoute>>;
  readonly drain: (timeoutMs?: number) => Promise<boolean>;
  /** The developer's hold on the queue pollers: pause() settles once no receive is under way (local/pollers.ts, Hold). */
  readonly pollers: { readonly paused: () => boolean; readonly pause: () => Promise<void>; readonly resume: () => void };
  readonly queueDepths: () => unknown;
  readonly sqs: { readonly endpoint: string; readonly queues: Record<QueueName, LocalQueue> };
  /** Where DynamoDB Local listens (the same port across its restarts), for a test that arranges items directly. */
  readonly dynamoEndpoint?: string;
  /** The audit lines of one subject (`application:…`, `case:…`, `rectification:…`, `hardcase:…`, `entitlement:…`), oldest first. */
  readonly audit: (subject: string) => Promise<readonly Record<string, unknown>[]>;
}

/** `real`: the wall-clock reading the answer is about, so `set` answers exactly the time it set. */
function clockState(real = Date.now()) {
  return { now: new Date(real + clockOffset()).toISOString(), offsetMs: clockOffset() };
}

function parseJson<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString('utf8') || '{}') as T;
  } catch {
    return undefined;
  }
}

/**
 * A route's JSON body (empty reads as `{}`) as an object holding only `fields`, or an error naming what is
 * wrong: not JSON or not an object (`usage` shows what to send), or a field the route does not take (named
 * before anything else, so a typo such as "pause" reads as one rather than as a missing "paused").
 */
export function objectBody<K extends string>(body: Buffer, fields: readonly K[], usage: string): Partial<Record<K, unknown>> | string {
  const input = parseJson<unknown>(body);
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) return `body must be a JSON object: ${usage}`;
  const takes = fields.map((f) => `"${f}"`).join(', ');
  for (const name of Object.keys(input)) if (!(fields as readonly string[]).includes(name)) return `${name}: not a field of this route; it takes ${takes}`;
  return input as Partial<Record<K, unknown>>;
}

const setClock: DevRoute = async (_req, body) => {
  const real = Date.now();
  const input = objectBody(body, ['set', 'advance', 'reset'], '{"set": ISO time} | {"advance": "7d"} | {"reset": true}');
  if (typeof input === 'string') return { status: 400, body: { error: input } };
  if (input.reset !== undefined) {
    if (input.reset !== true) return { status: 400, body: { error: 'reset: give true (or leave it out)' } };
    setClockOffset(0);
  } else if (input.set !== undefined) {
    const at = typeof input.set === 'string' ? Date.parse(input.set) : Number.NaN;
    if (Number.isNaN(at)) return { status: 400, body: { error: `set: ${JSON.stringify(input.set)} is not an RFC 3339 time` } };
    setClockOffset(at - real);
  } else if (input.advance !== undefined) {
    if (typeof input.advance !== 'string' && typeof input.advance !== 'number') return { status: 400, body: { error: 'advance: give a duration such as "7d" or milliseconds' } };
    try {
      setClockOffset(clockOffset() + parseDuration(input.advance));
    } catch (error) {
      return { status: 400, body: { error: `advance: ${(error as Error).message}` } };
    }
  } else return { status: 400, body: { error: 'give one of "set", "advance" or "reset"' } };
  return { status: 200, body: clockState(real) };
};

/**
 * A query parameter none of the names a route reads, e.g. `?typ=` for `?type=`: an error naming it, so a
 * typo answers 400 instead of the unfiltered list it would otherwise silently answer.
 */
function unknownParameter(params: URLSearchParams, known: readonly string[]): string | undefined {
  for (const name of params.keys()) {
    if (!known.includes(name)) return `${name}: not a parameter of this route; it takes ${known.map((k) => `${k}=`).join(', ')}`;
  }
  return undefined;
}

/**
 * The optional filters of `GET /_dev/outbound`: `type` (a `gov.*` event type, exact) and `subject` (exact),
 * each at most once. An error naming the parameter for a bad, empty, repeated or unknown one.
 */
export function outboundFilter(params: URLSearchParams): ((event: Record<string, unknown>) => boolean) | string {
  const unknown = unknownParameter(params, ['type', 'subject']);
  if (unknown) return unknown;
  const types = params.getAll('type');
  if (types.length > 1) return 'type: give it once';
  const type = types[0];
  if (type !== undefined && !/^gov(\.[A-Za-z0-9]+)+$/.test(type)) return `type: "${type}" is not an outbound event type; give one such as ?type=gov.application.decided`;
  const subjects = params.getAll('subject');
  if (subjects.length > 1) return 'subject: give it once';
  const subject = subjects[0];
  if (subject !== undefined && subject.trim() === '') return 'subject: give the subject of the events, e.g. ?subject=<applicationId>';
  return (event) => (type === undefined || event.type === type) && (subject === undefined || event.subject === subject);
}

/**
 * The optional filters of `GET /_dev/audit`: `action` (exact; repeated or comma-separated, any of them) and
 * `since` (an RFC 3339 instant; lines at or after it). `since` compares instants, not text (nor the sort
 * key): a line's `at` may be a step's time as its event wrote it, and "…+08:00", "…Z" and "….000Z" forms
 * of one instant do not sort as instants. An error naming the parameter for a bad value or an unknown one.
 */
export function auditFilter(params: URLSearchParams): ((entry: Record<string, unknown>) => boolean) | string {
  const unknown = unknownParameter(params, ['subject', 'action', 'since']);
  if (unknown) return unknown;
  const given = params.getAll('action');
  const actions = new Set(given.flatMap((a) => a.split(',')).map((a) => a.trim()));
  if (given.length > 0 && actions.has('')) return 'action: give one or more audit actions, e.g. ?action=refused:contact or ?action=state:none->RECEIVED,refused:report';
  const sinces = params.getAll('since');
  if (sinces.length > 1) return 'since: give it once';
  const since = sinces[0];
  if (since !== undefined && !isRfc3339Timestamp(since)) {
    // A query string reads "+" as a space: "+08:00" arrives as " 08:00" unless written %2B08:00.
    const plus = / \d\d:\d\d$/.test(since) ? ' (write the "+" of an offset as %2B in a query string)' : '';
    return `since: "${since}" ${TIMESTAMP_MESSAGE}${plus}`;
  }
  return (entry) =>
    (actions.size === 0 || actions.has(String(entry.action))) &&
    (since === undefined || compareInstants(normaliseTimestamp(String(entry.at)), normaliseTimestamp(since)) >= 0);
}

/** The longest `POST /_dev/drain` waits, in milliseconds: a test's whole timeout is less. */
export const DRAIN_MAX_MS = 15 * 60_000;

/**
 * `POST /_dev/drain`'s `timeoutMs` (how long to wait for every queue to be empty; 60 s when not given): a whole
 * number of milliseconds from 1 to DRAIN_MAX_MS, once. An error naming the parameter otherwise (`abc`
 * would otherwise wait NaN ms, i.e. not at all, and answer 504 as if the queues never emptied).
 */
export function drainTimeout(params: URLSearchParams): number | string {
  const unknown = unknownParameter(params, ['timeoutMs']);
  if (unknown) return unknown;
  const given = params.getAll('timeoutMs');
  if (given.length > 1) return 'timeoutMs: give it once';
  if (given.length === 0) return 60_000;
  const ms = Number(given[0]);
  if (!/^\d+$/.test(given[0]!) || ms < 1 || ms > DRAIN_MAX_MS) return `timeoutMs: "${given[0]}" is not a whole number of milliseconds from 1 to ${DRAIN_MAX_MS}`;
  return ms;
}

/** What `POST /_dev/drain` answers while the pollers are held: nothing queued would be handled. */
export const DRAIN_WHILE_PAUSED = 'the pollers are paused, so nothing queued would be handled: POST /_dev/pollers {"paused": false} first';

/**
 * `POST /_dev/pollers`'s body: `{"paused": true|false}`, nothing else. An error naming the field otherwise
 * (an unknown one first, so a typo such as "pause" is named as such rather than as a missing "paused").
 */
export function pollersBody(body: Buffer): boolean | string {
  const input = objectBody(body, ['paused'], '{"paused": true|false}');
  if (typeof input === 'string') return input;
  if (typeof input.paused !== 'boolean') return 'paused: give true or false';
  return input.paused;
}

export function devRoutes(ctx: DevContext): Record<string, DevRoute> {
  const openapi = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
  return {
    ...ctx.extra,
    // `npm run resync`: the upward sender invoked with a re-push, as `aws lambda invoke` does in AWS.
    'POST /_dev/upward/resync': async (_req, body) => {
      const input = parseJson<Record<string, unknown>>(body);
      if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) return { status: 400, body: { error: 'body must be a JSON object: {"repush": {...}, "actor": "..."}' } };
      const result = (await ctx.invoke('upwardSync', { ...input, repush: input.repush ?? null })) as { error?: string; disabled?: boolean };
      if (result.disabled) return { status: 409, body: { error: 'this stage does not report upward (no "upward" in its configuration)' } };
      return { status: result.error ? 400 : 200, body: result };
    },
    'GET /_dev/health': async () => ({ status: 200, body: { ok: true } }),
    // DynamoDB Local as the supervisor sees it: up, restarting or down, its pid, how often it died, its endpoint.
    'GET /_dev/dynamo': async () => ({ status: 200, body: { ...ctx.supervisor.state(), ...(ctx.dynamoEndpoint ? { endpoint: ctx.dynamoEndpoint } : {}) } }),
    'GET /openapi.json': async () => ({ status: 200, body: openapi }),
    'GET /_dev/clock': async () => ({ status: 200, body: clockState() }),
    'POST /_dev/clock': setClock,
    'POST /_dev/schedules/*': async (_req, _body, url) => {
      const name = decodeURIComponent(url.pathname.slice('/_dev/schedules/'.length));
      try {
        const result = await ctx.fireSchedule(name);
        return { status: 200, body: { fired: name, result: result ?? null } };
      } catch (error) {
        return { status: /unknown schedule/.test(String(error)) ? 404 : 500, body: { error: (error as Error).message } };
      }
    },
    'GET /_dev/queues': async () => ({ status: 200, body: ctx.queueDepths() }),
    'GET /_dev/alarms': async () => ({ status: 200, body: { alarms: ctx.alarms } }),
    // Where the SQS stand-in listens and the URLs it gave each queue (for `npm run redrive`).
    'GET /_dev/sqs': async () => ({
      status: 200,
      body: {
        endpoint: ctx.sqs.endpoint,
        region: 'us-east-1',
        queues: Object.fromEntries(Object.entries(ctx.sqs.queues).map(([n, q]) => [n, { url: q.url, dlqUrl: q.dlqUrl }])),
      },
    }),
    // Fault injection: DynamoDB Local down ({"down": true}) and back on the same port and data ({"down": false}).
    // {"down": false} also waits for the restart of a JVM that died on its own.
    'POST /_dev/faults/dynamo': async (_req, body) => {
      const input = objectBody(body, ['down'], '{"down": true|false}');
      if (typeof input === 'string') return { status: 400, body: { error: input } };
      if (typeof input.down !== 'boolean') return { status: 400, body: { error: 'down: give true or false' } };
      if (input.down) {
        if (!ctx.dataDir) return { status: 409, body: { error: 'needs --data DIR: an in-memory DynamoDB Local would come back empty' } };
        await ctx.supervisor.stopForFault();
        ctx.log('[fault] DynamoDB Local stopped');
      } else {
        const wasDown = ctx.supervisor.down;
        try {
          await ctx.supervisor.ensureUp();
        } catch (error) {
          return { status: 503, body: { error: (error as Error).message, dynamoDown: ctx.supervisor.down } };
        }
        if (wasDown) ctx.log('[fault] DynamoDB Local restarted');
      }
      return { status: 200, body: { dynamoDown: ctx.supervisor.down } };
    },
    // Hold the queue pollers ({"paused": true}: no receive starts, a batch already received finishes; the
    // answer comes once no receive is under way) and let them go ({"paused": false}). A restart of DynamoDB
    // Local does not let them go. The outbound sink, an upstream reader, is not held.
    'GET /_dev/pollers': async () => ({ status: 200, body: { paused: ctx.pollers.paused() } }),
    'POST /_dev/pollers': async (_req, body) => {
      const paused = pollersBody(body);
      if (typeof paused === 'string') return { status: 400, body: { error: paused } };
      if (paused) await ctx.pollers.pause();
      else ctx.pollers.resume();
      return { status: 200, body: { paused: ctx.pollers.paused() } };
    },
    'POST /_dev/drain': async (_req, _body, url) => {
      const timeoutMs = drainTimeout(url.searchParams);
      if (typeof timeoutMs === 'string') return { status: 400, body: { error: timeoutMs } };
      // Held pollers would make it wait its whole time for nothing; a pause during the wait ends it too.
      if (ctx.pollers.paused()) return { status: 409, body: { error: DRAIN_WHILE_PAUSED, queues: ctx.queueDepths() } };
      const ok = await ctx.drain(timeoutMs);
      if (!ok && ctx.pollers.paused()) return { status: 409, body: { error: DRAIN_WHILE_PAUSED, queues: ctx.queueDepths() } };
      return { status: ok ? 200 : 504, body: { drained: ok, queues: ctx.queueDepths() } };
    },
    // The audit trail of one subject, as an auditor's DynamoDB Query on its pk reads it in AWS.
    'GET /_dev/audit': async (_req, _body, url) => {
      // The filters first: a typo such as ?subjet= is named as such rather than as a missing subject.
      const filter = auditFilter(url.searchParams);
      if (typeof filter === 'string') return { status: 400, body: { error: filter } };
      const subject = url.searchParams.get('subject');
      if (!subject) return { status: 400, body: { error: 'subject: give the subject of the audit lines, e.g. ?subject=hardcase:<caseId>' } };
      const entries = (await ctx.audit(subject)).filter(filter);
      return { status: 200, body: { count: entries.length, entries } };
    },
    'GET /_dev/outbound': async (_req, _body, url) => {
      const filter = outboundFilter(url.searchParams);
      if (typeof filter === 'string') return { status: 400, body: { error: filter } };
      const events = ctx.outbound.map((o) => o.event).filter(filter);
      return { status: 200, body: { count: events.length, events } };
    },
  };
}
