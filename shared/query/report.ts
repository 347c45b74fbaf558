import { json, problem } from '#platform/http';
import { config } from '#platform/stage-config';
import { getReport, MONTH_PATTERN } from '#report';
import type { QueryRoutes } from './router';

export const reportRoutes: QueryRoutes = {
  /**
   * The stored monthly report of a district: every figure of 秒批, 免申即享 and 好差评 per department with
   * Chinese labels. `npm run report` renders it as a terminal table and an HTML page.
   */
  'GET /reports/{district}/{month}': async ({ params }) => {
    const district = params.district ?? '';
    const month = params.month ?? '';
    if (!MONTH_PATTERN.test(month)) return problem(400, `month must be YYYY-MM; got "${month}"`);
    const served = config().district;
    if (district !== served.code) {
      return problem(404, `this stage serves district ${served.code} (${served.name}), not "${district}"`);
    }
    const report = await getReport(district, month);
    if (!report) {
      return problem(404, `no report for ${district} ${month} yet: the monthly-report schedule builds the previous month's report daily`);
    }
    return json(200, report);
  },
};
