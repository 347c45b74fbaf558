/**
 * Person data on the read side: ID numbers, names of persons, birth dates and phone numbers are
 * returned only to readers entitled to them (`config.personDataReaders`); every other reader gets the
 * same answer with them masked. The rule is applied to every query route's answer in one place, so a
 * new route cannot forget it.
 */
import { hasIdNumberShape, isValidCreditCode, isValidIdNumber, maskIdNumber, maskPhone, maskSensitive } from '#contract/identifiers';
import { accessConfig } from '#platform/stage-config';

/** Entitled: listed in `personDataReaders`; without that list, every reader that is not an upstream source. */
export function entitledToPersonData(principal: string): boolean {
  const c = accessConfig();
  return c.personDataReaders ? c.personDataReaders.includes(principal) : !Object.hasOwn(c.sources, principal);
}

/**
 * Fields that hold a person's data whatever their value looks like. A reviewer is known by an ID number or a
 * phone number (mobile or fixed line), or is an enterprise known by its credit code, which is not masked.
 */
const PERSON_FIELDS = new Set(['idNumber', 'birthDate', 'phone', 'mobile', 'contactPhone', 'reviewerId']);
/** Values of rule traces and explanations that show a fact of these fields. */
const FACT_VALUE_FIELDS = ['seen', 'value', 'expected'] as const;

function maskField(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value === undefined || value === null ? value : '***';
  if (key === 'idNumber') return maskIdNumber(value);
  if (key === 'birthDate') return '****-**-**';
  if (key === 'reviewerId') {
    if (hasIdNumberShape(value)) return maskIdNumber(value);
    if (isValidCreditCode(value)) return value;
  }
  return maskPhone(value);
}

/** A person's name: the family name stays (for a clerk to recognise a case), the rest is masked. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

/** An object about a person: it carries a person's ID number, or says it is a person. */
function isAboutPerson(o: Record<string, unknown>): boolean {
  if (o.kind === 'person' || o.subjectKind === 'person') return true;
  return ['idNumber', 'id', 'applicantId', 'holderId', 'subjectId', 'reviewerId'].some((k) => isValidIdNumber(o[k]));
}

function lastSegment(fact: unknown): string {
  return typeof fact === 'string' ? (fact.split('.').pop() ?? '') : '';
}

/**
 * The person field a key names when the key is a fact path about a person (a self-objection's declared
 * `facts`: `person.birthDate`, `person.name`), or undefined.
 */
function personFactField(key: string): string | undefined {
  if (!key.startsWith('person.')) return undefined;
  const field = lastSegment(key);
  return PERSON_FIELDS.has(field) || field === 'name' ? field : undefined;
}

/** `value` with person data masked. Our own answers only: bounded depth, so recursion is fine. */
export function maskPersonData(value: unknown): unknown {
  if (typeof value === 'string') return maskSensitive(value);
  if (Array.isArray(value)) return value.map(maskPersonData);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const person = isAboutPerson(o);
  const factIsPersonal = PERSON_FIELDS.has(lastSegment(o.fact)) || lastSegment(o.fact) === 'name';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) {
    const factField = typeof v === 'string' ? personFactField(key) : undefined;
    if (PERSON_FIELDS.has(key)) out[key] = maskField(key, v);
    else if (factField !== undefined) out[key] = factField === 'name' ? maskName(v as string) : maskField(factField, v);
    else if (key === 'name' && person && typeof v === 'string') out[key] = maskName(v);
    else if (factIsPersonal && (FACT_VALUE_FIELDS as readonly string[]).includes(key)) out[key] = '***';
    else out[key] = maskPersonData(v);
  }
  return out;
}
