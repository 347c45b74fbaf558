/**
 * What each step of a decision reports (steps 1–5, decide.ts): its line in the trace, and its findings, each
 * tagged with what it leads to. The outcome is chosen after every step has run (outcome.ts), so the
 * applicant and the reviewer see every ground at once (一次性告知).
 */
import type { MaterialCheck, MaterialRef, Reason, TraceStep } from './decision';

/** `reject` and `manual` ask for that outcome; `pending` is 容缺, which only an otherwise clean case gets. */
export interface Finding {
  readonly tag: 'reject' | 'manual' | 'pending';
  readonly reason: Reason;
}

export interface StepReport {
  readonly trace: TraceStep;
  readonly findings: readonly Finding[];
}

export const rejects = (findings: readonly Finding[]): boolean => findings.some((f) => f.tag === 'reject');

export function ref(check: Pick<MaterialCheck, 'code' | 'name'>): MaterialRef {
  return { code: check.code, name: check.name };
}

export function names(refs: readonly MaterialRef[]): string {
  return refs.map((r) => r.name).join('、');
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
