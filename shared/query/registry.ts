import { getCurrentItem, getItemVersion } from '../registry/store';
import { json, problem } from '../platform/http';
import type { QueryRoutes } from './router';

export const registryRoutes: QueryRoutes = {
  /** A service item: the current version, or `?version=N`. */
  'GET /items/{itemCode}': async ({ params, query }) => {
    const code = params.itemCode ?? '';
    if (query.version !== undefined && !/^\d+$/.test(query.version)) return problem(400, 'version must be a whole number');
    const item = query.version ? await getItemVersion(code, Number(query.version)) : await getCurrentItem(code);
    return item ? json(200, item) : problem(404, `no service item ${code}${query.version ? ` version ${query.version}` : ''}`);
  },
};
