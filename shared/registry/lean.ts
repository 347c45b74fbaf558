/**
 * The registry's lean public module: what another capability needs of the registry without its store or clients
 * (index.ts is the rest). It imports nothing, so a build that takes only this reads one module of the registry:
 * the simulation API slices a job by the shard count and reads none of the registry's store for it.
 */

/** Enterprise profiles are spread over this many shards so a policy can be matched in parallel slices. */
export const ENTERPRISE_SHARDS = 64;
