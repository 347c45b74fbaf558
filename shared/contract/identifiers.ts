/**
 * Identifiers of people and organisations, validated for form including check digits, and
 * masked before they reach a log line. Pure functions: no clock, no I/O.
 *
 * - ID number (居民身份证号码, GB 11643-1999): 6-digit region, birth date YYYYMMDD, 3-digit sequence,
 *   ISO 7064 MOD 11-2 check character (0-9 or X).
 * - Unified social credit code (统一社会信用代码, GB 32100-2015): 17 characters from a 31-symbol alphabet
 *   plus a MOD 31 check character.
 * - Phone: mainland mobile numbers (11 digits, 1[3-9]…) and fixed-line numbers with an area code.
 */

/** Provinces and equivalent (first two digits of the region code); 81-83 are the HK/Macao/Taiwan residence permits. */
const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';
const ID_SHAPE = /^\d{17}[\dX]$/;

/**
 * No clock here (domain code is deterministic), so "not in the future" is a year bound; callers that
 * know the date can pass `today` to reject birth dates after it.
 */
export const MIN_BIRTH_YEAR = 1900;
export const MAX_BIRTH_YEAR = 2099;

export interface IdNumberOptions {
  /** The local date of the check, "YYYY-MM-DD"; birth dates after it are rejected. */
  readonly today?: string;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True when `yyyymmdd` (8 digits) is a real calendar date with a year in the sanity bounds. */
export function isValidBirthDate(yyyymmdd: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < MIN_BIRTH_YEAR || y > MAX_BIRTH_YEAR || m < 1 || m > 12) return false;
  return d >= 1 && d <= daysInMonth(y, m);
}

/** The MOD 11-2 check character of the first 17 digits of an ID number. */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('an ID number check needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

/**
 * A valid 18-character resident ID number. The check character must be an upper-case X: the ID is a
 * lookup key (licence holders, credit subjects), so one spelling is enforced at the edge.
 */
export function isValidIdNumber(s: unknown, options: IdNumberOptions = {}): s is string {
  if (typeof s !== 'string' || !ID_SHAPE.test(s)) return false;
  if (!PROVINCE_CODES.has(s.slice(0, 2))) return false;
  const birth = s.slice(6, 14);
  if (!isValidBirthDate(birth)) return false;
  if (options.today !== undefined && birth > options.today.replaceAll('-', '').slice(0, 8)) return false;
  return idNumberCheckChar(s.slice(0, 17)) === s[17];
}

/**
 * True when `s` has the form of an ID number whatever its check character: 17 digits then a digit or X, a
 * known province and a birth-date part that is a real date within the year bounds (a future one included).
 * Fields that take an ID number or a credit code judge such a value as an ID number only: an all-digit
 * string passes the MOD 31 credit-code check about once in 31, so a mistyped ID number would otherwise slip
 * through as a "credit code". A real credit code does not have this form unless its registration-authority
 * and type characters read as a province and its region's last two digits and organisation code as a
 * birth date (`91…`, `92…`, `93…` and codes with letters never do; `11440305007497265X` reads as born in 0500).
 */
export function hasIdNumberShape(s: unknown): s is string {
  return typeof s === 'string' && ID_SHAPE.test(s) && PROVINCE_CODES.has(s.slice(0, 2)) && isValidBirthDate(s.slice(6, 14));
}

/** Why such a value is refused where an ID number or a credit code is taken, at the edge and on the query routes alike. */
export const ID_SHAPED_WRONG_CHECK = 'it has the region and birth date of an ID number, so it is checked as one, and its check digit is wrong';

/**
 * The birth date encoded in a resident ID number, "YYYY-MM-DD", or undefined when the value is not a
 * valid 18-character ID number: a wrong check character means its digits cannot be trusted either,
 * and the retired 15-digit numbers are not accepted anywhere else. Person facts take the profile's
 * `birthDate` first and fall back to this; the date is the local calendar date of birth.
 */
export function birthDateOf(idNumber: unknown): string | undefined {
  if (!isValidIdNumber(idNumber)) return undefined;
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

/**
 * A person as conditions read them: the birth date is the record's `birthDate`, else the one encoded in the
 * person's ID number (none when the number is not valid, so an age is unknown rather than wrong). Policies
 * read it from a person profile, item rules from the applicant's facts.
 */
export function withBirthDate<P extends Readonly<Record<string, unknown>>>(person: P, idNumber: unknown): P {
  if (person.birthDate !== undefined) return person;
  const birthDate = birthDateOf(idNumber);
  return birthDate === undefined ? person : { ...person, birthDate };
}

/** Builds a valid ID number, for tests and sample data. */
export function makeIdNumber(region: string, birth: string, seq: string): string {
  if (!/^\d{6}$/.test(region)) throw new RangeError(`region must be 6 digits; got "${region}"`);
  if (!isValidBirthDate(birth)) throw new RangeError(`birth must be a real date YYYYMMDD; got "${birth}"`);
  if (!/^\d{3}$/.test(seq)) throw new RangeError(`seq must be 3 digits; got "${seq}"`);
  const first17 = region + birth + seq;
  return first17 + idNumberCheckChar(first17);
}

/** The 31 symbols of GB 32100-2015: digits and upper-case letters except I, O, S, V, Z. */
export const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const CREDIT_SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/** The MOD 31 check character of the first 17 characters of a unified social credit code. */
export function creditCodeCheckChar(first17: string): string {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{17}$/.test(first17)) {
    throw new RangeError('a credit code check needs exactly 17 characters from 0-9 A-H J-N P-R T-U W-Y');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARS.indexOf(first17[i]!) * CREDIT_WEIGHTS[i]!;
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31]!;
}

/** A valid 18-character unified social credit code (alphabet and check character). */
export function isValidCreditCode(s: unknown): s is string {
  if (typeof s !== 'string' || !CREDIT_SHAPE.test(s)) return false;
  return creditCodeCheckChar(s.slice(0, 17)) === s[17];
}

/** Builds a valid credit code from its first 17 characters, for tests and sample data. */
export function makeCreditCode(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}

const MOBILE = /^1[3-9]\d{9}$/;
/**
 * A mainland area code: 010 and 020-029 have three digits, 03xx-09xx four, so a number written without a
 * separator still splits one way. The same codes are accepted and masked (`LANDLINE_IN_TEXT`).
 */
const AREA_CODE = '(?:010|02\\d|0[3-9]\\d{2})';
/** Area code (010, 0755), an optional hyphen, then a 7-8 digit subscriber number. */
const LANDLINE = new RegExp(`^${AREA_CODE}-?\\d{7,8}$`);

/** A mainland mobile number: 11 digits starting 13-19. No country code, no separators. */
export function isValidMobile(s: unknown): s is string {
  return typeof s === 'string' && MOBILE.test(s);
}

/**
 * A mainland mobile number, or a fixed-line number with its area code (0755-12345678 or 075512345678):
 * the 12345 hotline and window systems also record landlines.
 */
export function isValidPhone(s: unknown): s is string {
  return typeof s === 'string' && (MOBILE.test(s) || LANDLINE.test(s));
}

/**
 * `440305********123X`: the region stays visible for statistics, the birth date does not. A retired 15-digit
 * number (`440305******123`) keeps its 3-digit sequence only: its last 4 digits would show a birth-date digit.
 */
export function maskIdNumber(s: string): string {
  if (s.length <= 10) return '*'.repeat(s.length);
  const kept = /^\d{15}$/.test(s) ? 3 : 4;
  return s.slice(0, 6) + '*'.repeat(s.length - 6 - kept) + s.slice(-kept);
}

/**
 * A phone number field, masked as a log line masks it (`maskSensitive`, below): `138****5678` for a mobile,
 * `0755-****5678` for a fixed line (area code and last 4 digits kept), so an answer and a log line show the
 * same number the same way. A value that holds no recognisable phone keeps only its last 4 digits.
 */
export function maskPhone(s: string): string {
  const masked = maskSensitive(s);
  if (masked !== s) return masked;
  if (s.length <= 4) return '*'.repeat(s.length);
  return s.slice(0, -4).replace(/\d/g, '*') + s.slice(-4);
}

/**
 * Anything shaped like an ID number is masked, valid check digit or not: a mistyped ID is still
 * personal data. A credit code made only of digits is masked too; over-masking a log line is the
 * safe failure.
 */
const ID_IN_TEXT = /(?<!\d)\d{17}[\dXx](?!\d)/g;
/**
 * Where a fixed line starts and ends: not inside a longer run of letters, digits or a code (`CASE-0755123456`,
 * `/0755123456`, the digits after a decimal point), so dates, amounts, order numbers and zero-padded counters
 * stay as they are.
 */
const NOT_IN_A_CODE_BEFORE = '(?<![0-9A-Za-z_])(?<![0-9A-Za-z_][-./])';
const NOT_IN_A_CODE_AFTER = '(?![0-9A-Za-z_])(?!\\.\\d)';
/**
 * Digits in groups joined by one space, hyphen, dot, slash or underscore, the same one throughout or mixed, read
 * whole from the first group to the last (`2026-11-10 440305 19900307 1236`, `4403 0519 9003 0712 36`,
 * `440305.19900307.1236`, `440305/19900307-1236`, `440305 19900307.1236`), and an X or x right after them (a
 * check character, also written as a group of its own). As for a run of 18, a letter or a CJK character next to
 * them does not hide an ID number in them (`ID440305 …`, `no.440305900307123`, `SQ440305…`): only digits make
 * them part of a longer number. The lookahead skips what is too short to hold one; `maskIdsInGroups` finds the
 * ID numbers, and reads one dot, slash or underscore between two groups alone as two numbers (a decimal point:
 * `440305.199003071236`, `1234567.89`); a date (`2026.12.07`, `2026/12/07 08.30`) or a version has too few
 * digits to hold an ID number. (The first lookahead turns most starts away at once; the lookbehind after the
 * first digit starts a match at the first group only, so the groups are read whole; the second lookahead turns
 * away two groups of fewer than 15 digits each joined by a dot, slash or underscore alone, a float's digits
 * most often, before `maskIdsInGroups` is called for nothing: masking runs on every log line.)
 */
const DIGIT_GROUPS_IN_TEXT = /(?<!\d)\d(?=[\d ./_-]{14})(?<!\d[- ./_]\d)(?!\d{0,13}[./_]\d{1,14}(?!\d|[- ./_]\d))\d*(?:[- ./_]\d+)*(?:[- ./_]?[Xx](?!\d))?/g;
/**
 * Mobiles with an optional +86/0086/86 prefix, or the leading 0 some systems dial with, and optional space or
 * hyphen groups (138 1234 5678), or dots (138.1234.5678, +86.138.1234.5678): a dot joins the groups when the
 * other cut is a separator too, as one dot alone between digits is a decimal point (138.12345678 is left to an
 * amount, 13812345678.5 is masked as any run of a mobile's digits). An ID number or a mobile glued to letters
 * (`SQ440305…`, `TEL138…`) is masked too: only digits around it make it part of a longer number. A phone's digits are masked wherever
 * they stand, inside a bank card written in fours (`6222 0755 **** 6666`) or an amount (`138****5827.47`) too:
 * the product holds no card numbers, and any rule that keeps such a run as written also keeps a real phone
 * written after a group of four (`3201 0755 8888 6666`) or before a decimal point. A phone is never left.
 */
const MOBILE_IN_TEXT = /(?<!\d)((?:(?:\+|00)?86[- ]?|0)?)(1[3-9]\d)([- ]?|\.(?=\d{4}[-. ]))(\d{4})([- ]?|(?<=[-. ]\d{4})\.)(\d{4})(?!\d)/g;
/** An area code as dialled from abroad, after +86 or 0086: its leading 0 dropped (10, 20-29, 3xx-9xx). */
const AREA_CODE_ABROAD = '(?:10|2\\d|[3-9]\\d{2})';
/**
 * Fixed lines: a mainland area code (010 and 020-029 have three digits, 03xx-09xx four, so the split is known
 * without a separator), optionally in parentheses, or +86 / 0086 and the area code without its leading 0;
 * an optional hyphen or space, then a 7-8 digit subscriber number, whole or in two groups as a mobile may be
 * written: 0755-12345678, 075512345678, (010)62345678, 0728 1234567, 0755-8888-6666, 010 6234 5678,
 * +86 755 8888 6666. Or with dots, as a mobile may be (0755.8888.6666, (0755).8888.6666, +86.755.8888.6666):
 * a dot joins two groups only when every other break of the number is a separator too (a dot, a hyphen or a
 * space), as one dot alone between digits is a decimal point (0755.8888 and 0755.88886666 stay as written;
 * a date, a version or an address such as 10.0.0.1 has no area code with two groups after it).
 * A trailing extension (-801) is kept. Not inside a longer run of letters, digits or a
 * code (`CASE-0755123456`, `/0755123456`, the digits after a decimal point), so dates, amounts and
 * zero-padded counters stay as they are.
 */
const LANDLINE_IN_TEXT = new RegExp(
  `${NOT_IN_A_CODE_BEFORE}([(（]?${AREA_CODE}[)）]?|(?:\\+86|0086)(?:[- ]?|\\.(?=${AREA_CODE_ABROAD}[-. ]\\d{3,4}[-. ]\\d{4}))${AREA_CODE_ABROAD})` +
    `([- ]?|\\.(?=\\d{3,4}[-. ]\\d{4}))(\\d{3,4})([- ]?|(?<=[-. ]\\d{3,4})\\.)(\\d{4})${NOT_IN_A_CODE_AFTER}`,
  'g',
);

/**
 * Masks every ID number and phone number in free text, e.g. a log line or a serialized event. An ID number
 * keeps its region and last 4 characters, written as one run or in groups however cut (`440305 ******** 1236`,
 * `440305-****-****-1236`, `4403 05** **** **12 36`); a retired 15-digit one its region and sequence
 * (`440305******123`). A mobile keeps
 * its first 3 and last 4 digits (`138****5678`); a fixed line keeps its area code and the last 4 digits of the
 * subscriber number (`0755-****5678`, `010****4567`, `0755-****-6666`, `0755.****.6666`), as a mobile keeps its prefix.
 */
export function maskSensitive(text: string): string {
  if (!READ_AS_ASCII.test(text) && text.indexOf('\u00a0') === -1) return maskAscii(text);
  // Typed in full-width characters (a Chinese input method's 全角 mode), or pasted with another space or dash:
  // found on the ASCII reading, whose characters stand at the same positions (each is one UTF-16 unit either
  // way), and masked in the text as typed, so the rest keeps its characters.
  const halfWidth = text.replace(READ_AS_ASCII_ALL, asAscii);
  const masked = maskAscii(halfWidth);
  let out = '';
  for (let i = 0; i < text.length; i++) out += masked[i] === '*' && halfWidth[i] !== '*' ? '*' : text[i];
  return out;
}

/**
 * What the patterns above read as an ASCII character: full-width digits, X, x, +, -, ., / and _ (U+FF10-FF19,
 * Ｘ, ｘ, ＋, －, ．, ／, ＿) as their half-width forms; the ideographic space (U+3000, the full-width mode's space)
 * and the no-break spaces (U+00A0, and the narrow one, U+202F, that a French or a CJK layout puts between
 * groups) as a space; the hyphen, non-breaking hyphen, figure dash and en dash (U+2010-2013, Word's and a
 * PDF's hyphens) as a hyphen. Not the em dash (——, a Chinese punctuation mark) nor the minus sign, which do not
 * join the digits of a number.
 *
 * `READ_AS_ASCII` holds no character below U+0100, so its test fails at once on a line of plain ASCII (V8 keeps
 * such a line as one byte a character, which can hold none of them) and costs nothing there. The no-break space
 * (U+00A0) is the only one below U+0100: it is looked for apart, with `indexOf`, a plain search for one byte.
 */
const READ_AS_ASCII = /[\uFF10-\uFF19\uFF38\uFF58\uFF0B\uFF0D\uFF0E\uFF0F\uFF3F\u3000\u2010-\u2013\u202F]/;
const READ_AS_ASCII_ALL = /[\uFF10-\uFF19\uFF38\uFF58\uFF0B\uFF0D\uFF0E\uFF0F\uFF3F\u3000\u2010-\u2013\u202F\u00A0]/g;
function asAscii(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0xff01) return String.fromCharCode(code - 0xfee0);
  return code === 0x3000 || code === 0x202f || code === 0xa0 ? ' ' : '-';
}

/** An ASCII digit (the full-width ones are read as these, see `maskSensitive`). */
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** A retired 15-digit ID number: a province and a real birth date YYMMDD in the 1900s (no check digit to go by). */
function isOldIdNumber(digits: string): boolean {
  return PROVINCE_CODES.has(digits.slice(0, 2)) && isValidBirthDate(`19${digits.slice(6, 12)}`);
}

/**
 * The ID numbers among digits written in groups (`DIGIT_GROUPS_IN_TEXT`), masked as `maskIdNumber` masks them,
 * separators kept: `440305 ******** 1236`, `4403 05** **** **12 36`, `440 305 **** **** 1236`. Two groups joined
 * by one dot, slash or underscore alone are two numbers (`440305.199003071236` is an amount), each read on its
 * own. An ID number is a stretch of whole groups, however a person or a form cut and joined it, that reads as one
 * without its separators:
 * - 18 characters (17 digits and the X after the last group) that are a valid ID number, check digit
 *   included, anywhere in the groups: a stretch of a bank card, an order number or a date that has a
 *   province and a real birth date still passes the check only once in 11, so they stay as written;
 * - 15 digits with a province and a real birth date, a retired number. With no check digit to go by, about one
 *   stretch of 15 ordinary digits in 80 has both, so the cut must say it is one number: any cut when it is
 *   all the groups (`4403 0590 0307 123`); inside longer ones one run, region, birth date and sequence
 *   (`440305 900307 123`), or fours that start with it and end with its group of three (`12 4403 0590 0307
 *   123`, `4403 0590 0307 123 12`, `6217 4403 0590 0307 123`: a number in fours is cut from its first digit,
 *   and only its last group is shorter; the last 15 digits of a 19-digit bank card are masked when they read
 *   as one, as the product holds no card numbers and a retired number written after a group of four must not
 *   be left); and none in an amount, whose decimal point (a dot with no other dot next to its two groups)
 *   touches or cuts the stretch (`0.440305900307123`, `440305900307123.50`, `0.440305 900307 123`,
 *   `123 456 789 012.345`).
 */
function maskIdsInGroups(written: string, offset: number, text: string): string {
  if (written.length < 15) return written;
  const checkX = written.endsWith('X') || written.endsWith('x');
  const digitGroups = checkX ? written.replace(/[- ./_]?[Xx]$/, '') : written;
  const groups = digitGroups.split(/[- ./_]/);
  if (groups.length === 2) {
    const cut = groups[0]!.length;
    const sep = digitGroups[cut]!;
    if (sep !== ' ' && sep !== '-') {
      return maskIdsInGroups(written.slice(0, cut), offset, text) + sep + maskIdsInGroups(written.slice(cut + 1), offset + cut + 1, text);
    }
  }
  if (digitGroups.length - groups.length + 1 < 15) return written;
  // One run: a run of 18, or of 17 and an X, was masked as such (`ID_IN_TEXT`); one of 15 may be a retired number.
  if (groups.length === 1 && !(checkX && digitGroups.length === 17)) {
    return digitGroups.length === 15 && isOldIdNumber(digitGroups) && !inAnAmount(text, offset, offset + 15) ? maskIdNumber(digitGroups) + written.slice(15) : written;
  }
  // The text as masked, in pieces joined once at the end: a run of groups can hold thousands of ID numbers, and
  // copying the whole run for each would take time that grows with the square of its length. `done`: where the
  // text as written is not yet in `pieces`.
  const pieces: string[] = [];
  let done = 0;
  // `at`: where group `i` starts in the text as written.
  for (let i = 0, at = 0; i < groups.length; ) {
    let digits = '';
    let j = i;
    let end15 = -1;
    for (; j < groups.length && digits.length < 18; j++) {
      digits += groups[j];
      if (digits.length === 15) end15 = j;
    }
    const id18 = digits.length === 18 ? digits : digits.length === 17 && j === groups.length && checkX ? `${digits}X` : '';
    // A retired number as it is written: one run, region-birth date-sequence, all the groups, or fours that
    // start with it (4-4-4-3: the third group has the four digits the others leave).
    const oldIdAsWritten =
      end15 === i ||
      (end15 === i + 2 && groups[i]!.length === 6 && groups[i + 1]!.length === 6) ||
      (i === 0 && end15 === groups.length - 1) ||
      aRunOfItsOwn(written, groups, at, i, end15) ||
      (end15 === i + 3 && groups[i]!.length === 4 && groups[i + 1]!.length === 4 && groups[i + 3]!.length === 3);
    let next = i + 1;
    if (id18 !== '' && isValidIdNumber(id18)) {
      done = maskDigits(written, at, 6, 14, pieces, done);
      next = j;
    } else if (end15 >= 0 && oldIdAsWritten && isOldIdNumber(digits.slice(0, 15)) && !inAnAmount(text, offset + at, offset + at + lengthOf(groups, i, end15))) {
      done = maskDigits(written, at, 6, 12, pieces, done);
      next = end15 + 1;
    }
    for (; i < next; i++) at += groups[i]!.length + 1;
  }
  if (done === 0) return written;
  pieces.push(written.slice(done));
  return pieces.join('');
}

/**
 * Whether groups `first` to `last`, the first at `at` in `written`, are all the groups joined by one separator
 * there: a space or a hyphen (either), or a dot, a slash or an underscore in three groups or more (two joined by
 * one alone are two numbers), with another separator or none on either side (`2026-12-07 440.305.900.307.123`,
 * `440 305 900 307 123/1`). Such a stretch stands alone as a number in groups of one separator does, as it was
 * read before separators could mix in one number; not a stretch of a longer run of the same separator.
 */
function aRunOfItsOwn(written: string, groups: readonly string[], at: number, first: number, last: number): boolean {
  if (last <= first) return false;
  const kind = (c: string | undefined) => (c === '-' ? ' ' : c);
  const joint = kind(written[at + groups[first]!.length]);
  if (joint !== ' ' && last - first < 2) return false;
  let p = at;
  for (let g = first; g < last; g++) {
    p += groups[g]!.length;
    if (kind(written[p]) !== joint) return false;
    p++;
  }
  if (first > 0 && kind(written[at - 1]) === joint) return false;
  return last === groups.length - 1 || kind(written[p + groups[last]!.length]) !== joint;
}

/** How many characters groups `first` to `last` take as written, with the one separator between each two. */
function lengthOf(groups: readonly string[], first: number, last: number): number {
  let n = last - first;
  for (let k = first; k <= last; k++) n += groups[k]!.length;
  return n;
}

/**
 * True when the digits from `start` to before `end` in `text` touch or hold a decimal point: a dot between two
 * digits with no other dot joining the digits on either side of it (`12.50`, `0.440305 900307 123`; not the dots
 * of `440305.900307.123`). Asked only of a stretch that reads as a retired ID number, which is rare.
 */
function inAnAmount(text: string, start: number, end: number): boolean {
  for (let p = start - 1; p <= end; p++) {
    if (text[p] !== '.' || !isDigit(text[p - 1]) || !isDigit(text[p + 1])) continue;
    let l = p - 1;
    while (isDigit(text[l - 1])) l--;
    let r = p + 1;
    while (isDigit(text[r + 1])) r++;
    if (!(text[l - 1] === '.' && isDigit(text[l - 2])) && !(text[r + 1] === '.' && isDigit(text[r + 2]))) return true;
  }
  return false;
}

/**
 * Adds to `pieces` the text of `s` from `done` (not yet in them) to its `to`-th digit counted from `at`, the digits
 * from the `from`-th on masked, separators kept, and gives back where that stops: masks start after `done`.
 */
function maskDigits(s: string, at: number, from: number, to: number, pieces: string[], done: number): number {
  let out = s.slice(done, at);
  let d = 0;
  let k = at;
  for (; d < to; k++) {
    const c = s[k]!;
    if (isDigit(c)) out += d++ >= from ? '*' : c;
    else out += c;
  }
  pieces.push(out);
  return k;
}

/** Every mask keeps the text's length: a digit becomes one `*`. */
function maskAscii(text: string): string {
  return text
    .replace(ID_IN_TEXT, (id) => maskIdNumber(id))
    .replace(DIGIT_GROUPS_IN_TEXT, maskIdsInGroups)
    .replace(MOBILE_IN_TEXT, (_m, prefix: string, head: string, sep1: string, _mid: string, sep2: string, tail: string) => `${prefix}${head}${sep1}****${sep2}${tail}`)
    .replace(LANDLINE_IN_TEXT, (_m, area: string, sep: string, mid: string, sep2: string, tail: string) => `${area}${sep}${'*'.repeat(mid.length)}${sep2}${tail}`);
}
