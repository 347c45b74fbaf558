/**
 * A supplement to a bundle application: its `answers` and `form` are merged into the application's (new keys
 * win), and every child whose outcome the supplement can change is decided again: those pending materials,
 * not started or waiting, and while the application needs answers those not decided at all. Children
 * decided otherwise stay as they are, in an application that needs answers too. A supplement to a bundle
 * in a final state is refused. The bundle version stays the one current at submission.
 */
import { isFinalBundleStatus, type BundleStatus, type Child } from './types';

type Json = Readonly<Record<string, unknown>>;

export interface Supplemented {
  readonly answers: Json;
  readonly form: Json;
}

export function mergeSupplement(stored: Supplemented, supplement: { readonly answers?: Json; readonly form?: Json }): Supplemented {
  return { answers: { ...stored.answers, ...supplement.answers }, form: { ...stored.form, ...supplement.form } };
}

export type SupplementPlan =
  | { readonly kind: 'refused'; readonly status: BundleStatus }
  | { readonly kind: 'redecide'; readonly redecide: readonly string[]; readonly keep: readonly string[] };

/** Which children a supplement decides again and which it keeps. */
export function planSupplement(status: BundleStatus, children: readonly Child[]): SupplementPlan {
  if (isFinalBundleStatus(status)) return { kind: 'refused', status };
  const changes = (c: Child) =>
    c.state.kind === 'decided' ? c.state.outcome === 'ACCEPTED_PENDING_MATERIALS' : status === 'NEEDS_ANSWER' || c.state.kind === 'notStarted' || c.state.kind === 'waiting';
  return { kind: 'redecide', redecide: children.filter(changes).map((c) => c.itemCode), keep: children.filter((c) => !changes(c)).map((c) => c.itemCode) };
}
