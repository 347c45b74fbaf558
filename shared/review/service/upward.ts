/**
 * The upward-sync records a review change makes (issue #19): one per real review, default review and
 * rectification step that the change records, built in the platform's format by the stage's profile
 * (domain/upward) and written in the change's own transaction. They are derived from the change itself
 * (what the case and rectification look like before and after), so every use case that records a review,
 * a default or a step — the consumer's, the schedule's, a case whose parked reviews are applied — reports
 * it without knowing about the sync, and a change that happens once makes its records once.
 */
import { inPool } from '#platform/pool';
import { createSyncRecord, recordIdOf, type SyncRecord } from '../domain/upward/sync';
import { isReportedStep, mapRectificationStep, mapReview } from '../domain/upward/map';
import type { MapResult, UpwardCase, UpwardSettings } from '../domain/upward/types';
import { defaultReviewId } from '../domain/invitations';
import { DEFAULT_REVIEW_LEVEL, DEFAULT_REVIEWER_ID, type CaseReviewState, type Rectification, type Review } from '../domain/types';
import type { CaseBundle, CatalogueItem, ReviewChange, UpwardPorts } from '../ports';

/** Something the change records that the platform must hear of. */
type Reportable =
  | { readonly kind: 'review'; readonly review: Review; readonly state: CaseReviewState }
  | { readonly kind: 'step'; readonly rect: Rectification; readonly historyIndex: number; readonly state: CaseReviewState };

/** A review that is new in `after` (a default newly recorded, or a real review newly accepted). */
function newReview(before: CaseReviewState | undefined, after: CaseReviewState | undefined): Review | undefined {
  const review = after?.review;
  if (review === undefined || before?.review?.reviewId === review.reviewId) return undefined;
  return review;
}

/** What a change records that is reported upward, in the order it happened. */
export function reportablesOf(bundle: CaseBundle, change: ReviewChange): Reportable[] {
  const before = bundle.record?.state;
  const after = change.caseWrite?.state ?? before;
  if (after === undefined) return [];
  const out: Reportable[] = [];
  const review = change.caseWrite?.state ? newReview(before, change.caseWrite.state) : undefined;
  if (review !== undefined) out.push({ kind: 'review', review, state: after });
  const rect = change.rectWrite?.rect;
  if (rect !== undefined) {
    const from = bundle.rectification?.history.length ?? 0;
    rect.history.forEach((entry, i) => {
      if (i >= from && isReportedStep(entry)) out.push({ kind: 'step', rect, historyIndex: i, state: after });
    });
  }
  return out;
}

function upwardCase(state: CaseReviewState, item: CatalogueItem | undefined): UpwardCase {
  const kase = state.case;
  return {
    caseId: kase.caseId,
    itemCode: kase.itemCode,
    departmentCode: kase.departmentCode,
    applicantId: kase.applicantId,
    ...(kase.acceptedAt !== undefined ? { acceptedAt: kase.acceptedAt } : {}),
    ...(item ? { itemName: item.name, promise: item.promisedDays === 0 ? ('instant' as const) : ('promised' as const) } : {}),
  };
}

function settingsWith(settings: UpwardSettings, item: CatalogueItem | undefined): UpwardSettings {
  if (item?.departmentCreditCode === undefined) return settings;
  return { ...settings, departmentCreditCodes: { ...settings.departmentCreditCodes, [item.departmentCode]: item.departmentCreditCode } };
}

/** The 差评 a rectification is about, as the step record names its channel and level. */
function rectifiedReview(state: CaseReviewState, rect: Rectification): Pick<Review, 'channel' | 'level'> {
  const review = state.review;
  return review !== undefined && review.reviewId === rect.reviewId ? review : { channel: state.case.channel, level: rect.level };
}

interface Mapped {
  readonly mapping: MapResult;
  readonly caseId: string;
  readonly sourceEventAt: string;
}

/** The platform records of what a change records, in the profile's format (pure, given the catalogue item). */
function mappingsOf(reportables: readonly Reportable[], upward: Omit<UpwardPorts, 'item'>, item: CatalogueItem | undefined): Mapped[] {
  const { profile, calendar } = upward;
  const settings = settingsWith(upward.settings, item);
  return reportables.map((r) => {
    const kase = upwardCase(r.state, item);
    if (r.kind === 'review') {
      // A real review replaces a default recorded before it when the state after it still says so.
      const mapping = mapReview({ profile, settings, kase, review: r.review, supersedesDefault: r.state.defaultedAt !== undefined }, calendar);
      return { mapping, caseId: kase.caseId, sourceEventAt: r.review.submittedAt };
    }
    const input = {
      profile,
      settings,
      kase,
      rectification: r.rect,
      historyIndex: r.historyIndex,
      review: rectifiedReview(r.state, r.rect),
      reviewSupersededDefault: r.state.defaultedAt !== undefined,
    };
    return { mapping: mapRectificationStep(input, calendar), caseId: kase.caseId, sourceEventAt: r.rect.history[r.historyIndex]!.at };
  });
}

/** The sync records of what a change records, mapped now. */
export function syncRecordsOf(reportables: readonly Reportable[], upward: Omit<UpwardPorts, 'item'>, item: CatalogueItem | undefined, now: string): SyncRecord[] {
  return mappingsOf(reportables, upward, item).map((m) => createSyncRecord({ ...m, profile: upward.profile }, now).record);
}

/** The catalogue as the upward sync reads it: service items, and 一件事 bundles. */
export interface CatalogueLookups {
  item(itemCode: string): Promise<CatalogueItem | undefined>;
  bundle(bundleCode: string): Promise<
    { readonly name: string; readonly promisedDays: number; readonly leadDepartmentCode: string; readonly items: readonly { readonly itemCode: string }[] } | undefined
  >;
}

/** Items of a 一件事 bundle read at once. */
const BUNDLE_ITEM_READS = 8;

/**
 * What the platform record needs of the catalogue entry a case names: its service item, or, for the one case
 * of a 一件事 bundle (named by the bundle code), the bundle — its name, its promised days (a 承诺件) and its
 * lead department, whose credit code the bundle's own item of that department gives.
 */
export async function catalogueEntry(code: string, catalogue: CatalogueLookups): Promise<CatalogueItem | undefined> {
  const item = await catalogue.item(code);
  if (item !== undefined) return item;
  const bundle = await catalogue.bundle(code);
  if (bundle === undefined) return undefined;
  // The bundle's items read together (a bundle has a handful), not one round trip after another; the
  // first of the lead department with a credit code, in the bundle's order, gives it.
  const children = await inPool(bundle.items, BUNDLE_ITEM_READS, ({ itemCode }) => catalogue.item(itemCode));
  const departmentCreditCode = children.find((child) => child?.departmentCode === bundle.leadDepartmentCode && child.departmentCreditCode !== undefined)?.departmentCreditCode;
  return {
    name: bundle.name,
    promisedDays: bundle.promisedDays,
    departmentCode: bundle.leadDepartmentCode,
    ...(departmentCreditCode !== undefined ? { departmentCreditCode } : {}),
  };
}

/** The change with its sync records, when the stage reports upward and the change records something to report. */
export async function withSyncRecords(upward: UpwardPorts | undefined, bundle: CaseBundle, change: ReviewChange, now: string): Promise<ReviewChange> {
  if (upward === undefined) return change;
  const reportables = reportablesOf(bundle, change);
  if (reportables.length === 0) return change;
  const item = await upward.item(reportables[0]!.state.case.itemCode);
  return { ...change, syncRecords: syncRecordsOf(reportables, upward, item, now) };
}

/** A record mapped again from the case as it is stored now (a re-push after the catalogue or a code table was fixed). */
export async function remapRecord(upward: UpwardPorts, bundle: CaseBundle, record: SyncRecord): Promise<MapResult | undefined> {
  const state = bundle.record?.state;
  if (state === undefined) return undefined;
  const item = await upward.item(state.case.itemCode);
  const candidates: Reportable[] = [];
  if (state.review !== undefined) candidates.push({ kind: 'review', review: state.review, state });
  const rect = bundle.rectification;
  rect?.history.forEach((entry, i) => {
    if (isReportedStep(entry)) candidates.push({ kind: 'step', rect, historyIndex: i, state });
  });
  // A default replaced by a real review is no longer the case's review: map it as it was recorded.
  if (state.defaultedAt !== undefined && state.review?.defaulted !== true) {
    const kase = state.case;
    const def: Review = {
      reviewId: defaultReviewId(kase.caseId),
      caseId: kase.caseId,
      itemCode: kase.itemCode,
      departmentCode: kase.departmentCode,
      channel: kase.channel,
      level: DEFAULT_REVIEW_LEVEL,
      reviewerId: DEFAULT_REVIEWER_ID,
      submittedAt: record.sourceEventAt,
      defaulted: true,
    };
    candidates.push({ kind: 'review', review: def, state });
  }
  return mappingsOf(candidates, upward, item).find((m) => recordIdOf(m.mapping.key) === record.recordId)?.mapping;
}
