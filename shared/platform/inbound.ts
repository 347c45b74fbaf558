/**
 * Inbound or CivicFlow's own: an upstream system posts `gov.*` events; every other type is a message
 * CivicFlow sent itself (a schedule, a re-match, a deadline). Pure, so domain code may ask it too.
 */

/** The three fields that name an event, as every consumer knows it. */
export interface EventRef {
  readonly source: string;
  readonly id: string;
  readonly type: string;
}

/**
 * The three fields of an event, a cause or a ref, copied out of it: what is stored or sent on (a receipt, a
 * cause, an effect) names the event and carries nothing else of it (its data, its signature).
 */
export function eventRef(e: EventRef): EventRef {
  return { source: e.source, id: e.id, type: e.type };
}

/** Posted by an upstream system (`gov.*`), not one of CivicFlow's own messages. */
export function isInbound(ref: Pick<EventRef, 'type'>): boolean {
  return ref.type.startsWith('gov.');
}

/**
 * `{ source }` for the audit line of a change an upstream event made: the system that posted it (its
 * CloudEvents `source`, the principal that signed it), under the key every capability's lines use
 * (`details.source`), besides the actor the line names (a channel, a department and staff member, or the
 * source again). Nothing for a change CivicFlow made itself, or with no cause.
 */
export function auditSource(ref: Pick<EventRef, 'source' | 'type'> | undefined): { readonly source: string } | Record<string, never> {
  return ref !== undefined && isInbound(ref) ? { source: ref.source } : {};
}

/** `{ details: { source } }` for a line that has no other details; nothing for CivicFlow's own. */
export function auditDetails(ref: Pick<EventRef, 'source' | 'type'> | undefined): { readonly details: { readonly source: string } } | Record<string, never> {
  return ref !== undefined && isInbound(ref) ? { details: { source: ref.source } } : {};
}
