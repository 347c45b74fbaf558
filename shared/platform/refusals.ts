/**
 * A refusal is recorded once, however often its event is delivered. The delivery that records it answers the
 * refusal as it is; a later one (a redelivery, or the same review or step under another event) finds it
 * recorded and answers the same refusal flagged `recordedBefore`: logged again, counted only the first time.
 */

/** An answer that may be a refusal recorded before. */
export interface MaybeRecordedBefore {
  /** Set (true) only on a refusal an earlier delivery recorded; absent the first time. */
  readonly recordedBefore?: boolean;
}

/** The answer to a refusal: `answer` as it is when this delivery recorded it, flagged `recordedBefore` when not. */
export function refusalAnswer<T extends object>(answer: T, recordedNow: boolean): T & MaybeRecordedBefore {
  return recordedNow ? answer : { ...answer, recordedBefore: true };
}

/** Whether an answer counts in the metrics: anything but a refusal recorded before. */
export function countsOnce(answer: MaybeRecordedBefore): boolean {
  return answer.recordedBefore !== true;
}
