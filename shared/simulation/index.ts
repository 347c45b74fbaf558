/**
 * 沙盘推演's public module: the query route reads a simulation here. Starting one and running
 * its slices are the simulation functions' (functions/simulation/).
 */
export { readSimulation } from './read';
export type { SimulationView, ItemSimulationView, PolicySimulationView } from './view';
export type { PolicySimulationResult, PolicyCounts, PolicyClass } from './domain/policy-result';
export type { SimulationResult, Regression } from './domain/item-result';
