/**
 * 秒批's lean public module: what another capability needs of approval without its domain, store or clients
 * (index.ts is the rest). It imports nothing, so a build that takes only this reads one module of approval: the
 * simulation API slices a job by the shard count and reads none of the 秒批 domain for it.
 */

/** Shards of the approvals table's byItem index: the current decisions spread over partitions (no hot key at scale). */
export const DECISION_SHARDS = 16;
