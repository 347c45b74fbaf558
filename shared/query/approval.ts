import { approvalFigures, bundleFigures, bundleReader, bundleStore, bundleView, loadCase, queryDecisions, type Decision, type BundleState, type StoredBundleVersion, type StoredConflict } from '#approval';
import { nowIso } from '#platform/clock';
import { buildRefusalNotice, DEFAULT_APPEAL_BODIES, type RefusalDecision } from '#hardcase';
import { stageCalendar } from '#platform/calendar';
import { json, jsonText, problem } from '#platform/http';
import { visibleTo } from './events';
import { boundedAnswer } from './trace-values';
import type { QueryRoutes } from './router';

/**
 * One decision version as the history shows it: outcome, reason codes with their details, due dates,
 * materials. `sent`: whether its events went out, where an outbox item records it (a change the deadlines
 * schedule made); null for an event's version, which no item tracks (its redelivery sends them again).
 */
function versionView(d: Decision, cause: Record<string, unknown>, sent: boolean | null) {
  return {
    sequence: d.sequence,
    outcome: d.outcome,
    reasons: d.reasons.map((r) => ({ code: r.code, message: r.message, ...(r.details ? { details: r.details } : {}) })),
    reasonCodes: d.reasons.map((r) => r.code),
    decidedAt: d.decidedAt,
    updatedAt: d.updatedAt,
    itemVersion: d.itemVersion,
    certificateNo: d.certificateNo ?? null,
    supplementDue: d.supplementDue ?? null,
    verificationDue: d.verificationDue ?? null,
    verification: d.verification ?? null,
    review: d.review ?? null,
    materialsPending: d.materialsPending,
    materialsMissing: d.materialsMissing,
    materialsUnverifiable: d.materialsUnverifiable,
    materialsWaived: d.materialsWaived,
    licencesUsed: d.licencesUsed,
    unknownFacts: d.unknownFacts,
    failedRules: d.failedRules.map((r) => ({ id: r.id, description: r.description, fact: r.fact })),
    unknownRules: d.unknownRules.map((r) => ({ id: r.id, description: r.description, fact: r.fact })),
    legalDue: d.legalDue,
    latencyMs: d.latencyMs,
    timeLimitCompression: d.timeLimitCompression,
    // The version's own trace: a later version does not take away why an earlier one was decided so.
    trace: d.trace,
    cause,
    sent,
  };
}

/**
 * One version of a bundle application as its history shows it: the roll-up with its reasons, and each
 * child's state and outcome with its reason codes (a child's full decision is in the current view).
 */
function bundleVersionView(v: StoredBundleVersion) {
  const s = v.state;
  return {
    sequence: v.sequence,
    status: s.status,
    reasons: s.reasons,
    reasonCodes: s.reasons.map((r) => r.code),
    updatedAt: s.updatedAt,
    dueAt: s.dueAt,
    children: s.children.map((c) => ({
      itemCode: c.itemCode,
      state: c.state.kind,
      outcome: c.state.kind === 'decided' ? c.state.outcome : null,
      reasonCodes: c.decision?.reasons.map((r) => r.code) ?? [],
    })),
    cause: { kind: v.causeKind, ...v.cause },
    sent: v.marked ? !v.pending : null,
  };
}

/** 否定答复: a REJECTED decision's notice, the reasons in Chinese and how to appeal (null otherwise). */
function refusalNoticeOf(decision: RefusalDecision & { readonly itemName?: string }, itemName = decision.itemName) {
  return buildRefusalNotice(decision, { ...(itemName ? { itemName } : {}), appeal: DEFAULT_APPEAL_BODIES }, stageCalendar()) ?? null;
}

/**
 * A bundle application's view with its refusal notices: each REJECTED child's own, and the bundle's when it
 * was rejected before any child was decided (an unknown or inactive bundle); a bundle rejected through a
 * required child has that child's notice.
 */
function bundleWithNotices(s: BundleState) {
  const view = bundleView(s, nowIso());
  const childRejected = s.children.some((c) => c.decision?.outcome === 'REJECTED');
  const own =
    s.status === 'REJECTED' && !childRejected
      ? refusalNoticeOf(
          {
            applicationId: s.applicationId,
            itemCode: s.bundleCode,
            departmentCode: s.leadDepartmentCode,
            applicantKind: s.applicantKind,
            applicantId: s.applicantId,
            outcome: 'REJECTED',
            reasons: s.reasons as RefusalDecision['reasons'],
            submittedAt: s.submittedAt,
            updatedAt: s.updatedAt,
            sequence: s.sequence,
          },
          s.bundleName ?? undefined,
        )
      : null;
  return {
    ...view,
    // Each child's notice from the decision its own view carries, not from a child found by position.
    children: view.children.map((c) => ({ ...c, refusalNotice: c.decision === null ? null : refusalNoticeOf(c.decision) })),
    refusalNotice: own,
  };
}

/** A conflicting resubmission as the application's view shows it (single-item and bundle alike). */
function conflictView(c: Pick<StoredConflict, 'cause' | 'receivedAt' | 'applicationHash' | 'storedHash'>) {
  return {
    cause: c.cause,
    receivedAt: c.receivedAt,
    applicationHash: c.applicationHash,
    storedHash: c.storedHash,
    message: '同一申请编号以不同内容再次提交，已记录为冲突，未重新审批',
  };
}

export const approvalRoutes: QueryRoutes = {
  /**
   * Why an application was decided so: the current decision with its full trace, reasons,
   * licences used, waived materials, due dates, latency and item version; every version (history), and
   * the conflicts and refused events recorded against it. A trace entry's fact value over 1 KB of JSON is
   * shown as `{truncated, type, bytes, prefix}` (trace-values.ts); the stored decision keeps it whole.
   */
  'GET /applications/{applicationId}': async ({ params, principal }) => {
    const applicationId = params.applicationId ?? '';
    const known = await loadCase(applicationId);
    // Refused and conflicting events are listed as their receipts are read: a source sees its own only.
    const own = <T extends { readonly cause: { readonly source: string } }>(items: readonly T[]) => visibleTo(principal, items, (i) => i.cause.source);
    if (!known.decision) {
      // A bundle application (一件事) lives in its own partition.
      const bundle = await bundleStore.loadBundle(applicationId);
      if (bundle.state) {
        return jsonText(
          200,
          boundedAnswer({
            ...bundleWithNotices(bundle.state),
            // Every version, as a single item's history lists them.
            history: bundle.versions.map(bundleVersionView),
            conflicts: own(bundle.conflicts).map(conflictView),
            refusals: own(bundle.refusals),
          }),
        );
      }
      return problem(404, `no decision for application ${applicationId}: it was never submitted, or is still queued`, {
        applicationId,
        refusals: own(known.refusals),
      });
    }
    const { effects: _effects, ...decision } = known.decision;
    // A fact value longer than 1 KB is shown as a marker in every trace entry (trace-values.ts): a decision
    // of hundreds of rules reading one large form value would otherwise answer over Lambda's 6 MB.
    const answer = {
      ...decision,
      // Every version with its structured fields, so no one has to read them out of a Chinese message.
      history: known.versions.map((v) => versionView(v.decision, { kind: v.causeKind, ...v.cause }, v.outbox === undefined ? null : !v.pending)),
      verificationOverdue: known.overdueFlag ? { flaggedAt: known.overdueFlag.flaggedAt } : null,
      conflicts: own(known.conflicts).map(conflictView),
      refusals: own(known.refusals),
      // 否定答复: a REJECTED decision's notice, the reasons in Chinese and how to appeal (null otherwise).
      refusalNotice: refusalNoticeOf(decision),
    };
    return jsonText(200, boundedAnswer(answer));
  },

  /** 秒批 figures over the current decisions, optionally of one item (the byItem index: see queryDecisions). */
  'GET /approval/figures': async ({ query }) => {
    const itemCode = query.itemCode || undefined;
    const decisions = await queryDecisions(itemCode);
    return json(200, { ...(itemCode ? { itemCode } : {}), ...approvalFigures(decisions) });
  },

  /** 一件事 figures over the bundle applications' current versions, optionally of one bundle. */
  'GET /approval/bundle-figures': async ({ query }) => {
    const bundleCode = query.bundleCode || undefined;
    const summaries = await bundleReader.bundleSummaries(bundleCode);
    return json(200, { ...(bundleCode ? { bundleCode } : {}), ...bundleFigures(summaries, stageCalendar()) });
  },
};
