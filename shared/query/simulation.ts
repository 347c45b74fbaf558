/** 沙盘推演 read route: a simulation's progress, and its result once every slice is in. */
import { nowIso } from '#platform/clock';
import { json, problem } from '#platform/http';
import { readSimulation } from '#simulation';
import type { QueryRoutes } from './router';

export const simulationRoutes: QueryRoutes = {
  'GET /simulations/{simulationId}': async ({ params }) => {
    const id = params.simulationId ?? '';
    const view = await readSimulation(id, nowIso());
    return view === undefined ? problem(404, `no simulation ${id}`) : json(200, view);
  },
};
