/**
 * Later events on a decided application: a supplement, the supplement deadline, a verification report (a
 * person's decision is in reviewed.ts). Each returns a new version of the decision (sequence + 1,
 * `updatedAt` = the event's time) with the step appended to its trace and the effects this version asks for; a refusal changes nothing. A supplement decides the application again, so it moves
 * `decidedAt`, latency and compression; a deadline or a verification does not decide on the merits and
 * leaves them as they were. Effects of earlier versions are never repeated: the review case opened by an approval
 * stays open when the approval is later revoked.
 */
import { decide, type DecideInput } from './decide';
import type { Cause, Decision, TraceStep, Transition } from './decision';
import type { Application, SubmittedMaterial } from './types';
import { eventRef } from '#platform/inbound';

const PENDING = 'ACCEPTED_PENDING_MATERIALS';

function after(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

function refuse(code: Extract<Transition, { ok: false }>['refusal']['code'], message: string): Transition {
  return { ok: false, refusal: { code, message } };
}

/**
 * Materials supplied for a 容缺 case: the application is decided again with the supplied entries
 * replacing the original ones of the same code, on the facts as they are now (credit, licences, profile).
 * Allowed only while the decision is pending and when the supplement was received by its deadline. A
 * partial supplement that leaves the case pending keeps the original deadline, so supplying one material at
 * a time cannot extend it. `input.item` should be the item version the case was accepted under
 * (`previous.itemVersion`).
 *
 * `receivedAt` is the supplement's receipt at ingest: in time is judged by it, not by when the queue got the
 * message to us (a backlog, a redrive from the dead-letter queue), so the system's lag never makes the
 * citizen late. Without it — a message queued before the front door stamped its receipt (one in flight or
 * dead-lettered across that deployment), or put on the queue by anything but ingest — it is judged at
 * `input.now`. A supplement received in time for a case the deadlines schedule has terminated since (held
 * up past the schedule's grace, e.g. redriven after a long outage) is refused with its own code,
 * SUPPLEMENT_IN_TIME_AFTER_TERMINATION: the termination was notified and offered a 办不成事 hard case, which
 * is where staff take it up; its receipt and audit line say the citizen was in time.
 */
export function supplement(
  previous: Decision,
  originalApplication: Application,
  supplementedMaterials: readonly SubmittedMaterial[],
  input: Omit<DecideInput, 'application'>,
  receivedAt?: string,
): Transition {
  if (originalApplication.applicationId !== previous.applicationId) {
    return refuse(
      'APPLICATION_MISMATCH',
      `补正材料对应的申请 ${originalApplication.applicationId} 与决定 ${previous.applicationId} 不一致`,
    );
  }
  if (receivedAt !== undefined && terminatedThoughInTime(previous, receivedAt)) {
    return refuse(
      'SUPPLEMENT_IN_TIME_AFTER_TERMINATION',
      `补正材料于 ${receivedAt} 收到，在补正期限 ${previous.supplementDue?.date} 内，但处理前申请已因逾期未补正终止；请窗口人员核实后跟进`,
    );
  }
  if (previous.outcome !== PENDING) {
    return refuse('NOT_PENDING_MATERIALS', `申请当前状态为 ${previous.outcome}，不处于容缺待补正状态`);
  }
  if (supplementMissed(previous, receivedAt ?? input.now)) {
    return refuse('SUPPLEMENT_TOO_LATE', `补正期限 ${previous.supplementDue?.date} 已过，不再接收补正材料`);
  }

  const replaced = new Map(supplementedMaterials.map((m) => [m.code, m] as const));
  const merged: SubmittedMaterial[] = originalApplication.materials.map((m) => {
    const s = replaced.get(m.code);
    return s === undefined ? m : { ...m, ...s };
  });
  const originalCodes = new Set(originalApplication.materials.map((m) => m.code));
  for (const m of supplementedMaterials) if (!originalCodes.has(m.code)) merged.push(m);

  const redecided = decide({ ...input, application: { ...originalApplication, materials: merged } });
  const step: TraceStep = {
    step: 'supplement',
    result: 'pass',
    notes: [
      `于 ${input.now} 补正材料${receivedAt !== undefined && receivedAt !== input.now ? `（${receivedAt} 收到）` : ''}：${supplementedMaterials.map((m) => m.code).join('、') || '（无）'}，重新审查`,
    ],
  };
  return {
    ok: true,
    decision: {
      ...redecided,
      trace: { ...redecided.trace, steps: [...previous.trace.steps, step, ...redecided.trace.steps] },
      ...(redecided.outcome === PENDING && previous.supplementDue !== undefined
        ? { supplementDue: previous.supplementDue }
        : {}),
      sequence: previous.sequence + 1,
      // Conflict detection is about the submitted application, not its supplemented form.
      applicationHash: previous.applicationHash,
    },
  };
}

/**
 * Whether a case pending materials has missed its supplement deadline at `at`, `graceMs` after its end: a
 * supplement received at `at` is too late; the schedule may terminate the case at `at`.
 */
export function supplementMissed(decision: Decision, at: string, graceMs = 0): boolean {
  if (decision.outcome !== PENDING || decision.supplementDue === undefined) return false;
  return Date.parse(at) > Date.parse(decision.supplementDue.dueAt) + graceMs;
}

/** A case the schedule terminated for its supplement deadline, which a supplement received at `receivedAt` had met. */
function terminatedThoughInTime(decision: Decision, receivedAt: string): boolean {
  return (
    decision.outcome === 'TERMINATED' &&
    decision.reasons.some((r) => r.code === 'SUPPLEMENT_DEADLINE_MISSED') &&
    decision.supplementDue !== undefined &&
    !after(receivedAt, decision.supplementDue.dueAt)
  );
}

/**
 * The due instants the deadlines schedule may act on at `now` (terminate, flag): those `graceMs` or more
 * before it. The grace (service/deadlines.ts `receiptGraceMs`) lets a supplement or a verification report
 * received by its deadline but still on its way through the queue be handled first; the deadline itself
 * (`supplementDue`, `verificationDue`: what clients are shown) does not move.
 */
export function dueBeforeGrace(now: string, graceMs: number): string {
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error(`the deadline grace must be a non-negative number of milliseconds, got ${graceMs}`);
  return new Date(Date.parse(now) - graceMs).toISOString();
}

/**
 * The supplement deadline, run by a schedule: a case still pending `graceMs` after the end of its deadline
 * day is TERMINATED (the reason and trace name the deadline, not the grace). Returns undefined when there is
 * nothing to do (not pending, or not yet that far past its deadline).
 */
export function onSupplementDeadline(decision: Decision, now: string, graceMs = 0): Decision | undefined {
  if (!supplementMissed(decision, now, graceMs) || decision.supplementDue === undefined) return undefined;
  const due = decision.supplementDue;
  const step: TraceStep = {
    step: 'supplementDeadline',
    result: 'reject',
    notes: [`补正期限 ${due.date} 届满，仍缺：${decision.materialsPending.map((m) => m.name).join('、')}`],
  };
  return {
    ...decision,
    outcome: 'TERMINATED',
    reasons: [
      {
        code: 'SUPPLEMENT_DEADLINE_MISSED',
        message: `未在 ${due.date} 前补齐容缺材料（${decision.materialsPending.map((m) => m.name).join('、')}），办理终止`,
        details: { supplementDue: due, materials: decision.materialsPending },
      },
    ],
    trace: { ...decision.trace, steps: [...decision.trace.steps, step] },
    updatedAt: now,
    sequence: decision.sequence + 1,
    effects: [],
  };
}

export interface VerificationReport {
  readonly truthful: boolean;
  readonly note: string;
  /**
   * The item verified: on a bundle application (一件事), the child it is for; on a single-item application
   * it may only name the application's own item (saying nothing more than its absence).
   */
  readonly itemCode?: string;
  /**
   * The report's receipt at ingest (`receivedat` on the queued event): whether it was late is judged by it,
   * not by when the queue got it to us. A message no ingest queued has none, and is judged when processed.
   */
  readonly receivedAt?: string;
}

/**
 * The department's verification of an approval on commitment. Truthful: the approval stands and the case
 * is closed (`verification` recorded). Untruthful: the approval is REVOKED and the subject's credit record
 * must be marked `falseCommitment`, which then excludes it from 容缺 and 告知承诺; `cause`, the report's event,
 * goes with the mark, so the re-match it asks for names the department's system on its audit lines.
 *
 * `late` is judged by the report's receipt at ingest (`report.receivedAt`; `now` without one), as a
 * supplement's deadline is: a report received by its due date and held up in the queue is not late.
 * `flaggedAt`, when the schedule flagged the verification overdue before this report was processed: the
 * flag stands (it was published and counted), and a report received in time says so in its trace, next to
 * the flag, so whoever reads the case sees the department was in time and the system late.
 */
export function onVerification(
  decision: Decision,
  report: VerificationReport,
  now: string,
  cause?: Pick<Cause, 'source' | 'id' | 'type'>,
  flaggedAt?: string,
): Transition {
  if (report.itemCode !== undefined && report.itemCode !== decision.itemCode) {
    return refuse('ITEM_NOT_IN_APPLICATION', `事项 ${report.itemCode} 不是申请 ${decision.applicationId} 的办理事项（${decision.itemCode}），核查结果未予采纳`);
  }
  if (decision.outcome !== 'APPROVED_ON_COMMITMENT') {
    return refuse('NOT_APPROVED_ON_COMMITMENT', `申请当前状态为 ${decision.outcome}，不是告知承诺审批`);
  }
  if (decision.verification !== undefined) {
    return refuse('ALREADY_VERIFIED', `该告知承诺审批已于 ${decision.verification.reportedAt} 完成核查`);
  }
  const receivedAt = report.receivedAt ?? now;
  const late = verificationLate(decision, receivedAt);
  const verification = { truthful: report.truthful, note: report.note, reportedAt: now, late };
  const received = receivedAt !== now ? `（${receivedAt} 收到）` : '';
  const lateNote = late
    ? `${received}（超过核查期限 ${decision.verificationDue?.date}）`
    : flaggedAt !== undefined
      ? `${received}（在核查期限 ${decision.verificationDue?.date} 内收到；处理前已于 ${flaggedAt} 标记核查逾期，标记保留）`
      : received;
  if (report.truthful) {
    return {
      ok: true,
      decision: {
        ...decision,
        verification,
        trace: {
          ...decision.trace,
          steps: [
            ...decision.trace.steps,
            { step: 'verification', result: 'pass', notes: [`核查属实${lateNote}：${report.note}`] },
          ],
        },
        updatedAt: now,
        sequence: decision.sequence + 1,
        effects: [],
      },
    };
  }
  return {
    ok: true,
    decision: {
      ...decision,
      outcome: 'REVOKED',
      verification,
      reasons: [
        {
          code: 'COMMITMENT_UNTRUTHFUL',
          message: `经核查承诺内容不实，撤销审批决定${decision.certificateNo ? `（证照 ${decision.certificateNo}）` : ''}：${report.note}`,
          details: { note: report.note, reportedAt: now },
        },
      ],
      trace: {
        ...decision.trace,
        steps: [
          ...decision.trace.steps,
          { step: 'verification', result: 'reject', notes: [`核查不实${lateNote}：${report.note}`, '记录虚假承诺信用标记'] },
        ],
      },
      updatedAt: now,
      sequence: decision.sequence + 1,
      effects: [
        {
          kind: 'markFalseCommitment',
          subjectId: decision.applicantId,
          applicationId: decision.applicationId,
          at: now,
          ...(cause ? { cause: eventRef(cause) } : {}),
        },
      ],
    },
  };
}

/** Whether a verification report received at `at` is after the end of the decision's verification due day. */
function verificationLate(decision: Decision, at: string): boolean {
  return decision.verificationDue !== undefined && after(at, decision.verificationDue.dueAt);
}

/**
 * An approval on commitment whose verification has not been reported `graceMs` after the end of its due
 * day. The schedule flags it only then (service/deadlines.ts `receiptGraceMs`, the same queue and the same
 * reasoning as a supplement's): a report received by the due date and still queued is processed first, and
 * is not late. The due date shown (`verificationDue`) does not move.
 */
export function isVerificationOverdue(decision: Decision, now: string, graceMs = 0): boolean {
  return (
    decision.outcome === 'APPROVED_ON_COMMITMENT' &&
    decision.verification === undefined &&
    decision.verificationDue !== undefined &&
    Date.parse(now) > Date.parse(decision.verificationDue.dueAt) + graceMs
  );
}

export type DueKind = 'SUPPLEMENT' | 'VERIFICATION';

/** The open deadline a decision waits on, if any: what the deadlines schedule must look at, and when. */
export function openDeadline(d: Decision): { readonly kind: DueKind; readonly dueAt: string } | undefined {
  if (d.outcome === 'ACCEPTED_PENDING_MATERIALS' && d.supplementDue !== undefined) {
    return { kind: 'SUPPLEMENT', dueAt: d.supplementDue.dueAt };
  }
  if (d.outcome === 'APPROVED_ON_COMMITMENT' && d.verification === undefined && d.verificationDue !== undefined) {
    return { kind: 'VERIFICATION', dueAt: d.verificationDue.dueAt };
  }
  return undefined;
}
