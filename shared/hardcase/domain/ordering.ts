/**
 * Steps of one case come from different systems through a queue that does not keep order: a `resolve` may
 * arrive before the `contact` it follows. A step refused now may be allowed once an earlier step arrives;
 * the consumer retries such a step a few times before it records the refusal. Pure.
 */
import { HARDCASE_TRANSITIONS } from './transitions';
import { HARDCASE_ACTIONS, type HardCaseState } from './types';

/** The states a case in `state` can still reach by one or more steps (itself only through a cycle, which there is none). */
export function reachableHardCaseStates(state: HardCaseState): ReadonlySet<HardCaseState> {
  const seen = new Set<HardCaseState>();
  const queue: HardCaseState[] = [state];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const action of HARDCASE_ACTIONS) {
      const t = HARDCASE_TRANSITIONS[action];
      if (t.to === 'SAME' || !t.from.includes(from) || seen.has(t.to)) continue;
      seen.add(t.to);
      queue.push(t.to);
    }
  }
  return seen;
}

/** Whether `action`, not allowed in `state`, is allowed in a state the case can still reach. */
export function allowedLater(state: HardCaseState, action: string): boolean {
  if (!(HARDCASE_ACTIONS as readonly string[]).includes(action)) return false;
  const from = HARDCASE_TRANSITIONS[action as (typeof HARDCASE_ACTIONS)[number]].from;
  return [...reachableHardCaseStates(state)].some((s) => from.includes(s));
}
