/**
 * The local runtime watching its queues: their depths (as CloudWatch would show them), the DLQ alarms, and
 * the wait until everything sent has been handled.
 */
import { queues, type QueueName } from '#topology';
import { localDlqName, localQueueName } from './provision';
import type { SqsStandIn } from './standins';

export type Depths = Record<string, { visible: number; inFlight: number; delayed: number; dlq: number }>;

export function depthsOf(standIn: SqsStandIn): Depths {
  const out: Depths = {};
  for (const name of Object.keys(queues) as QueueName[]) {
    const q = standIn.server.inspectQueue(localQueueName(name));
    const d = standIn.server.inspectQueue(localDlqName(name));
    out[name] = {
      visible: q?.messages.ready.length ?? 0,
      inFlight: q?.messages.inflight.length ?? 0,
      delayed: q?.messages.delayed.length ?? 0,
      dlq: (d?.messages.ready.length ?? 0) + (d?.messages.inflight.length ?? 0) + (d?.messages.delayed.length ?? 0),
    };
  }
  return out;
}

export interface Alarm {
  readonly at: string;
  readonly queue: QueueName;
  readonly dlq: number;
  readonly message: string;
}

/** The local face of the DLQ alarms (CloudWatch in AWS): a line on stderr when a DLQ grows, and the list at GET /_dev/alarms. */
export function watchDlqs(queueDepths: () => Depths, url: string, log: (line: string) => void, started: Array<() => Promise<void>>): Alarm[] {
  const alarms: Alarm[] = [];
  const dlqSeen: Partial<Record<QueueName, number>> = {};
  const alarmTimer = setInterval(() => {
    for (const [name, d] of Object.entries(queueDepths()) as Array<[QueueName, { dlq: number }]>) {
      if (d.dlq > (dlqSeen[name] ?? 0)) {
        const message = `DLQ ${localDlqName(name)} holds ${d.dlq} message(s); fix the cause, then: npm run redrive -- ${name} --url ${url}`;
        alarms.push({ at: new Date().toISOString(), queue: name, dlq: d.dlq, message });
        log(`[alarm] ${message}`);
      }
      dlqSeen[name] = d.dlq;
    }
  }, 500);
  started.push(async () => clearInterval(alarmTimer));
  return alarms;
}

/**
 * Resolves true once every queue is empty and nothing is being handled, three checks in a row; false when
 * the time runs out, or at once while `held` (the pollers are held: nothing queued would be handled).
 */
export function drainer(queueDepths: () => Depths, busy: () => number, held: () => boolean = () => false): (timeoutMs?: number) => Promise<boolean> {
  return async function drain(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < deadline && !held()) {
      const depths = queueDepths();
      const pending = Object.values(depths).reduce((n, d) => n + d.visible + d.inFlight + d.delayed, 0);
      quiet = pending === 0 && busy() === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return true;
      await new Promise((r) => setTimeout(r, 40));
    }
    return false;
  };
}
