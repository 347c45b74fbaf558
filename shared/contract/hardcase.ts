/**
 * The `data` of the two inbound 办不成事 types, for the ingest edge to validate field by field.
 * Imported by Lambda bundles, hence `zod/mini` only. Part of the catalogue (`dataSchemas` in schemas.ts);
 * `validateEvent` also refuses a report whose channel is not its source's (`hardCaseChannelProblem`).
 *
 * Who posts what (a decision of this contract; the stage's source table must allow it):
 * - `/systems/hotline-12345` reports cases taken on the 12345 hotline (`channel: "hotline"`) and posts
 *   updates of the cases it follows.
 * - `/systems/window-acceptance` reports cases from the 办不成事 window in the hall (`"window"`) and from
 *   the online portal's 办不成事 entry (`"online"`; the portal submits through the acceptance system, as it
 *   does for applications), and posts updates of the cases the window staff follow.
 * A source reporting a channel that is not its own is refused (`hardCaseChannelProblem`).
 */
import * as z from 'zod/mini';
import { isValidPhone } from './identifiers';
import { LIMITS } from './limits';
import { happenedAt } from './timestamp';

export const HARDCASE_CHANNELS = ['window', 'hotline', 'online'] as const;
export const HARDCASE_ACTIONS = ['contact', 'involveDepartments', 'resolve', 'explain', 'escalate', 'returnVisit', 'close'] as const;
export const HARDCASE_CAUSES = [
  'policyGap',
  'crossDepartment',
  'dataSharing',
  'excessiveMaterials',
  'systemFault',
  'historical',
  'staffService',
  'supplementMissed',
  'reviewOverdue',
  'other',
] as const;

/** Departments one update may bring in. */
export const MAX_DEPARTMENTS = 20;

export const HARDCASE_SOURCES = {
  hotline: '/systems/hotline-12345',
  acceptance: '/systems/window-acceptance',
} as const;

export const HARDCASE_CHANNELS_BY_SOURCE: Readonly<Record<string, readonly (typeof HARDCASE_CHANNELS)[number][]>> = {
  [HARDCASE_SOURCES.hotline]: ['hotline'],
  [HARDCASE_SOURCES.acceptance]: ['window', 'online'],
};

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const code = () => text(LIMITS.code);
/** When it happened: at the edge, not after the event's receipt (timestamp.ts). */
const timestamp = happenedAt;
const phone = () =>
  z.string().check(
    z.refine((s) => isValidPhone(s), 'must be a mainland mobile number or a fixed-line number with its area code'),
    z.describe('The applicant’s phone number, for the same-day contact. Personal data: never logged unmasked.'),
  );

export const hardCaseReportedSchema = z.looseObject({
  caseId: code(),
  channel: z.enum(HARDCASE_CHANNELS),
  /** The application the problem is about, when there is one. */
  applicationId: z.optional(code()),
  itemCode: z.optional(code()),
  description: text(LIMITS.text),
  reportedAt: timestamp(),
  /** The department the case is first put to, when the reporting system knows it. */
  departmentCode: z.optional(code()),
  contactPhone: z.optional(phone()),
});

function requires(action: string, field: string, present: (u: Record<string, unknown>) => boolean) {
  return z.superRefine<Record<string, unknown>>((u, ctx) => {
    const has = present(u);
    if (u.action === action && !has) ctx.addIssue({ code: 'custom', path: [field], input: undefined, message: `is required when action is ${action}` });
    if (u.action !== action && has && field !== 'departments') {
      ctx.addIssue({ code: 'custom', path: [field], input: u[field], message: `is only allowed when action is ${action}` });
    }
  });
}

export const hardCaseUpdatedSchema = z
  .looseObject({
    caseId: code(),
    action: z.enum(HARDCASE_ACTIONS),
    actor: z.looseObject({ departmentCode: code(), staffId: code() }),
    note: z.optional(z.string().check(z.maxLength(LIMITS.text))),
    at: timestamp(),
    /** Departments brought in; two or more involved give the longer resolution deadline. */
    departments: z.optional(z.array(code()).check(z.minLength(1), z.maxLength(MAX_DEPARTMENTS))),
    /** Why the thing could not be done; a conclusion needs one (now or given earlier). */
    cause: z.optional(z.enum(HARDCASE_CAUSES)),
    /** escalate: the authority the case goes to. */
    escalatedTo: z.optional(text(LIMITS.name)),
    /** returnVisit: whether the applicant is satisfied. */
    satisfied: z.optional(z.boolean()),
  })
  .check(
    requires('returnVisit', 'satisfied', (u) => u.satisfied !== undefined),
    requires('escalate', 'escalatedTo', (u) => u.escalatedTo !== undefined),
    requires('involveDepartments', 'departments', (u) => u.departments !== undefined),
  );

export type HardCaseReported = z.infer<typeof hardCaseReportedSchema>;
export type HardCaseUpdated = z.infer<typeof hardCaseUpdatedSchema>;

/** The two types' schemas, as `dataSchemas` lists them. */
export const hardCaseDataSchemas = {
  'gov.hardcase.reported': hardCaseReportedSchema,
  'gov.hardcase.updated': hardCaseUpdatedSchema,
} as const;

/** Why `source` may not report a case on `channel`, or undefined when it may. */
export function hardCaseChannelProblem(source: string, channel: string): string | undefined {
  const channels = Object.hasOwn(HARDCASE_CHANNELS_BY_SOURCE, source) ? HARDCASE_CHANNELS_BY_SOURCE[source]! : [];
  if ((channels as readonly string[]).includes(channel)) return undefined;
  return channels.length === 0
    ? `source ${source} does not report 办不成事 cases`
    : `source ${source} reports cases on ${channels.join(', ')}, not ${channel}`;
}
