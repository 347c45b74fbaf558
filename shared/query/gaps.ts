/**
 * 缺数清单: the data a machine lacked in a period — unknown facts of items' rules and of policies'
 * criteria, materials provided by hand — by the department that owns it, ranked by what supplying it would
 * unlock. Read through the report's public module, which builds the same ledger the monthly report keeps.
 */
import { json, problem } from '#platform/http';
import { GAP_RANKINGS, gapPeriodOf, readGapLedger, type GapRanking } from '#report';
import type { QueryRoutes } from './router';

export const gapRoutes: QueryRoutes = {
  'GET /gaps': async ({ query }) => {
    const period = gapPeriodOf(query);
    if (typeof period === 'string') return problem(400, period);
    const by = query.rank ?? 'cases';
    if (!(GAP_RANKINGS as readonly string[]).includes(by)) return problem(400, `rank must be one of ${GAP_RANKINGS.join(', ')}; got "${by}"`);
    return json(200, await readGapLedger(period, by as GapRanking));
  },
};
