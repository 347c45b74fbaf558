/**
 * Characters outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD, per UTF-16 unit. SQS accepts
 * supplementary characters (emoji, CJK Extension B such as 𠮷 in names) but the local stand-in does not;
 * written as JSON `\u` escapes they are plain ASCII everywhere and parse back to the same string.
 */
export const SQS_UNSAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g;

/** The message body of `body`: its JSON, with every character SQS implementations may refuse escaped. */
export function toMessageBody(body: unknown): string {
  return JSON.stringify(body).replace(SQS_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
