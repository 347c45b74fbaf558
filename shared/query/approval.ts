import { approvalFigures } from '../approval/figures';
import { loadCase, queryDecisions } from '../approval/store';
import { json, problem } from '../platform/http';
import type { QueryRoutes } from './router';

export const approvalRoutes: QueryRoutes = {
  /**
   * Why an application was decided so (SPEC §4, §9): the current decision with its full trace, reasons,
   * licences used, waived materials, due dates, latency and item version; every version (history), and
   * the conflicts and refused events recorded against it (SPEC §11).
   */
  'GET /applications/{applicationId}': async ({ params }) => {
    const applicationId = params.applicationId ?? '';
    const known = await loadCase(applicationId);
    if (!known.decision) {
      return problem(404, `no decision for application ${applicationId}: it was never submitted, or is still queued`, {
        applicationId,
        refusals: known.refusals,
      });
    }
    const { effects: _effects, ...decision } = known.decision;
    return json(200, {
      ...decision,
      history: known.versions.map((v) => ({
        sequence: v.decision.sequence,
        outcome: v.decision.outcome,
        reasons: v.decision.reasons.map((r) => ({ code: r.code, message: r.message })),
        decidedAt: v.decision.decidedAt,
        updatedAt: v.decision.updatedAt,
        cause: { kind: v.causeKind, ...v.cause },
        sent: !v.pending,
      })),
      verificationOverdue: known.overdueFlag ? { flaggedAt: known.overdueFlag.flaggedAt } : null,
      conflicts: known.conflicts.map((c) => ({
        cause: c.cause,
        receivedAt: c.receivedAt,
        applicationHash: c.applicationHash,
        storedHash: c.storedHash,
        message: '同一申请编号以不同内容再次提交，已记录为冲突，未重新审批',
      })),
      refusals: known.refusals,
    });
  },

  /** 秒批 figures over the current decisions, optionally of one item (the byItem index: see queryDecisions). */
  'GET /approval/figures': async ({ query }) => {
    const itemCode = query.itemCode || undefined;
    const decisions = await queryDecisions(itemCode);
    return json(200, { ...(itemCode ? { itemCode } : {}), ...approvalFigures(decisions) });
  },
};
