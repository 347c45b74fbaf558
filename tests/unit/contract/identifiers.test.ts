import fc from 'fast-check';
import {
  birthDateOf,
  CREDIT_CODE_CHARS,
  creditCodeCheckChar,
  hasIdNumberShape,
  idNumberCheckChar,
  isValidBirthDate,
  isValidCreditCode,
  isValidIdNumber,
  isValidMobile,
  isValidPhone,
  makeCreditCode,
  makeIdNumber,
  maskIdNumber,
  maskPhone,
  maskSensitive,
  withBirthDate,
} from '#contract/identifiers';

describe('ID numbers (身份证号)', () => {
  it.each([
    ['11010519491231002X', 'the GB 11643 example, check X'],
    ['440305199003071236', 'Nanshan, 1990-03-07'],
    ['440306200002290711', 'born on a leap day'],
    ['110101190001010014', 'born in 1900'],
  ])('accepts %s (%s)', (id) => {
    expect(isValidIdNumber(id)).toBe(true);
  });

  it.each([
    ['440305199003071235', 'wrong check digit'],
    ['11010519491231002x', 'lower-case x'],
    ['110105194912310021', 'X replaced by a digit'],
    ['440305199002301236', 'February 30th'],
    ['440306190002290711', '1900 is not a leap year'],
    ['440305199013071236', 'month 13'],
    ['440305189912311234', 'year before 1900'],
    ['990305199003071236', 'no such province 99'],
    ['44030519900307123', '17 characters'],
    ['4403051990030712361', '19 characters'],
    ['44030519900307123A', 'letter other than X'],
    ['', 'empty'],
  ])('rejects %s (%s)', (id) => {
    expect(isValidIdNumber(id)).toBe(false);
  });

  it('rejects values that are not strings', () => {
    expect(isValidIdNumber(440305199003071236)).toBe(false);
    expect(isValidIdNumber(null)).toBe(false);
  });

  it('rejects a birth date after the given local date', () => {
    const id = makeIdNumber('440305', '20261201', '001');
    expect(isValidIdNumber(id)).toBe(true);
    expect(isValidIdNumber(id, { today: '2026-11-30' })).toBe(false);
    expect(isValidIdNumber(id, { today: '2026-12-01' })).toBe(true);
  });

  it('computes the MOD 11-2 check character', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(makeIdNumber('440305', '19900307', '123')).toBe('440305199003071236');
  });

  it('refuses to make an ID number from bad parts', () => {
    expect(() => makeIdNumber('44030', '19900307', '123')).toThrow(RangeError);
    expect(() => makeIdNumber('440305', '19900230', '123')).toThrow(RangeError);
    expect(() => makeIdNumber('440305', '19900307', '12')).toThrow(RangeError);
  });

  it.each([
    ['11010519491231002X', '1949-12-31'],
    ['440306200002290711', '2000-02-29'],
    ['110101190001010014', '1900-01-01'],
  ])('reads the birth date encoded in %s: %s', (id, date) => {
    expect(birthDateOf(id)).toBe(date);
  });

  it.each<[unknown, string]>([
    ['440305199003071235', 'a wrong check digit'],
    ['11010519491231002x', 'a lower-case x'],
    ['440306190002290711', 'a date that does not exist'],
    ['440305900307123', 'a retired 15-digit number'],
    ['990305199003071236', 'no such province'],
    [440305199003071236, 'a number'],
    [undefined, 'nothing'],
  ])('reads no birth date from %j (%s)', (id) => {
    expect(birthDateOf(id)).toBeUndefined();
  });

  it('gives a person the birth date of the record, else the one in the ID number', () => {
    const id = '440306200002290711';
    expect(withBirthDate({ name: '王五' }, id)).toEqual({ name: '王五', birthDate: '2000-02-29' });
    expect(withBirthDate({ birthDate: '1999-01-01' }, id)).toEqual({ birthDate: '1999-01-01' });
    const noDate = { name: '王五' };
    expect(withBirthDate(noDate, '440305199003071235')).toBe(noDate);
  });

  it('validates birth dates on the real calendar', () => {
    expect(isValidBirthDate('20000229')).toBe(true);
    expect(isValidBirthDate('21000229')).toBe(false);
    expect(isValidBirthDate('19990431')).toBe(false);
    expect(isValidBirthDate('19991231')).toBe(true);
  });
});

describe('unified social credit codes (统一社会信用代码)', () => {
  it.each([
    ['91350100M000100Y43', 'the GB 32100 example'],
    ['91110000802100433B', 'a real enterprise code'],
    ['91440300MA5G2K8L1P', 'sample enterprise'],
    ['11440300007542108T', 'an organ of state'],
  ])('accepts %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it.each([
    ['91350100M000100Y44', 'wrong check character'],
    ['91440300MA5G2K8I1P', 'I is not in the alphabet'],
    ['91440300MA5G2K8O1P', 'O is not in the alphabet'],
    ['91440300MA5G2K8S1P', 'S is not in the alphabet'],
    ['91440300MA5G2K8V1P', 'V is not in the alphabet'],
    ['91440300MA5G2K8Z1P', 'Z is not in the alphabet'],
    ['91440300ma5g2k8l1p', 'lower case'],
    ['91440300MA5G2K8L1', '17 characters'],
    ['', 'empty'],
  ])('rejects %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('maps a remainder of 0 to the check character 0, not 31', () => {
    // Find a 17-character prefix whose weighted sum is a multiple of 31 by adjusting the last position.
    const base = '9144030000000000';
    const withCheckZero = [...CREDIT_CODE_CHARS]
      .map((c) => base + c)
      .find((first17) => creditCodeCheckChar(first17) === '0');
    expect(withCheckZero).toBeDefined();
    expect(isValidCreditCode(`${withCheckZero}0`)).toBe(true);
  });

  it('refuses to make a code from characters outside the alphabet', () => {
    expect(() => makeCreditCode('91440300MA5G2K8I1')).toThrow(RangeError);
  });
});

describe('the form of an ID number, whatever its check character', () => {
  it.each([
    ['440305199003071236', 'a valid ID number'],
    ['440305199003070031', 'a wrong check digit that passes the credit-code check'],
    ['440305203001010076', 'a birth date in 2030'],
    ['11010519491231002X', 'check X'],
  ])('has it: %s (%s)', (s) => {
    expect(hasIdNumberShape(s)).toBe(true);
  });

  it.each([
    ['11440305007497265X', 'an all-digit credit code of an organ of state (birth part 05007497)'],
    ['914403001000000020', 'an all-digit enterprise credit code (no province 91)'],
    ['91440300MA5G2K8L1P', 'a credit code with letters'],
    ['990305199003071236', 'no such province 99'],
    ['440305199002301236', 'February 30th'],
    ['440305189912311234', 'year before 1900'],
    ['44030519900307123x', 'a lower-case x'],
    ['44030519900307123', '17 characters'],
  ])('has it not: %s (%s)', (s) => {
    expect(hasIdNumberShape(s)).toBe(false);
  });

  it('the values above that pass the credit-code check are exactly the ones it must tell apart', () => {
    expect(['440305199003070031', '440305203001010076', '11440305007497265X', '914403001000000020'].map((s) => isValidCreditCode(s))).toEqual([true, true, true, true]);
  });

  it('holds for every valid ID number', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), (d, seq) => {
        const id = makeIdNumber('440305', d.toISOString().slice(0, 10).replaceAll('-', ''), String(seq).padStart(3, '0'));
        expect(hasIdNumberShape(id)).toBe(true);
      }),
    );
  });
});

describe('phone numbers', () => {
  it.each(['13812345678', '19912345678', '14512345678'])('accepts the mobile %s', (p) => {
    expect(isValidMobile(p)).toBe(true);
    expect(isValidPhone(p)).toBe(true);
  });
  it.each(['0755-12345678', '075512345678', '010-6552345', '02088886666'])('accepts the landline %s as a phone', (p) => {
    expect(isValidPhone(p)).toBe(true);
    expect(isValidMobile(p)).toBe(false);
  });
  it.each(['011-12345678', '0001234567', '0312345678', '021-123456', '0755-123456789'])('rejects %s: no mainland area code and 7-8 digits', (p) => {
    expect(isValidPhone(p)).toBe(false);
  });
  it('masks every landline it accepts, alone or in text, keeping the area code and the last 4 digits', () => {
    const area = fc.oneof(fc.constant('010'), fc.integer({ min: 20, max: 29 }).map((n) => `0${n}`), fc.integer({ min: 300, max: 999 }).map((n) => `0${n}`));
    const subscriber = fc.oneof(fc.integer({ min: 0, max: 9_999_999 }).map((n) => String(n).padStart(7, '0')), fc.integer({ min: 0, max: 99_999_999 }).map((n) => String(n).padStart(8, '0')));
    fc.assert(
      fc.property(area, fc.constantFrom('', '-'), subscriber, fc.constantFrom(['', ''], ['"reviewerId":"', '"'], ['电话', '，'], ['tel: ', ' ext']), (a, sep, sub, [before, after]) => {
        const phone = `${a}${sep}${sub}`;
        expect(isValidPhone(phone)).toBe(true);
        expect(maskSensitive(`${before}${phone}${after}`)).toBe(`${before}${a}${sep}${'*'.repeat(sub.length - 4)}${sub.slice(-4)}${after}`);
      }),
    );
  });
  it.each(['12812345678', '1381234567', '138123456789', '+8613812345678', '138-1234-5678', '755-12345678', ''])(
    'rejects %s',
    (p) => {
      expect(isValidPhone(p)).toBe(false);
    },
  );
});

describe('masking', () => {
  it('keeps the first 6 and last 4 characters of an ID number', () => {
    expect(maskIdNumber('44030519900307123X')).toBe('440305********123X');
  });
  it('keeps the region and the sequence of a retired 15-digit ID number, none of its birth date', () => {
    expect(maskIdNumber('440305900307123')).toBe('440305******123');
  });
  it('keeps the first 3 and last 4 digits of a mobile', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('masks a fixed line as a log line does: its area code and last 4 digits kept', () => {
    for (const phone of ['0755-12345678', '075512345678', '010-62345678', '0728 1234567', '13812345678']) {
      expect(maskPhone(phone)).toBe(maskSensitive(phone));
    }
    expect(maskPhone('0755-12345678')).toBe('0755-****5678');
    expect(maskPhone('075512345678')).toBe('0755****5678');
    expect(maskPhone('010-62345678')).toBe('010-****5678');
    // Not a phone at all: only its last 4 digits stay.
    expect(maskPhone('0001234567')).toBe('******4567');
  });

  it('masks every ID number and mobile in a log line, and nothing else', () => {
    const line =
      '{"level":"INFO","msg":"decided","applicant":"440305199003071236","phone":"13812345678",' +
      '"alt":"+86 139-8765-4321","other":"11010519491231002x","creditCode":"91440300MA5G2K8L1P","count":12345678901234}';
    const masked = maskSensitive(line);
    expect(masked).toContain('"applicant":"440305********1236"');
    expect(masked).toContain('"phone":"138****5678"');
    expect(masked).toContain('"alt":"+86 139-****-4321"');
    expect(masked).toContain('"other":"110105********002x"');
    expect(masked).toContain('"creditCode":"91440300MA5G2K8L1P"');
    expect(masked).toContain('"count":12345678901234');
    expect(masked).not.toMatch(/199003071236|12345678"|87654321/);
  });

  it('masks identifiers embedded in Chinese text', () => {
    expect(maskSensitive('申请人张伟（身份证440305199003071236，手机13812345678）已提交')).toBe(
      '申请人张伟（身份证440305********1236，手机138****5678）已提交',
    );
  });

  it('masks an ID number or a mobile glued to letters, and a mobile dialled with a leading 0', () => {
    expect(maskSensitive('SQ440305199003071236')).toBe('SQ440305********1236');
    expect(maskSensitive('440305199003071236abc')).toBe('440305********1236abc');
    expect(maskSensitive('TEL13812345678')).toBe('TEL138****5678');
    expect(maskSensitive('call 013812345678 now')).toBe('call 0138****5678 now');
    // The country code as dialled from abroad, with or without a separator.
    expect(maskSensitive('008613812345678')).toBe('0086138****5678');
    expect(maskSensitive('+8613812345678，0086 13812345678')).toBe('+86138****5678，0086 138****5678');
    // Digits around them still make them part of a longer number.
    expect(maskSensitive('1440305199003071236')).toBe('1440305199003071236');
    expect(maskSensitive('913812345678')).toBe('913812345678');
  });

  it('masks a fixed line written in groups, or with the country code, as a mobile is', () => {
    // As people write them in a comment or a note: the subscriber number in two groups, and +86 or 0086
    // with the area code's leading 0 dropped. The area code and the last 4 digits stay, separators too.
    expect(maskSensitive('请回电0755-8888-6666，谢谢')).toBe('请回电0755-****-6666，谢谢');
    expect(maskSensitive('办公电话 010 6234 5678')).toBe('办公电话 010 **** 5678');
    expect(maskSensitive('(0755) 8888 6666')).toBe('(0755) **** 6666');
    expect(maskSensitive('tel: 0728 123 4567 ext')).toBe('tel: 0728 *** 4567 ext');
    expect(maskSensitive('+86 755 8888 6666')).toBe('+86 755 **** 6666');
    expect(maskSensitive('+86-10-62345678')).toBe('+86-10-****5678');
    expect(maskSensitive('0086 20 3888 6666 转801')).toBe('0086 20 **** 6666 转801');
    // A mobile and a fixed line in one text, both written in groups.
    expect(maskSensitive('手机 138-1234-5678，座机 0755-8888-6666')).toBe('手机 138-****-5678，座机 0755-****-6666');
    // Still not inside a longer code or number.
    expect(maskSensitive('CASE-0755-8888-6666')).toBe('CASE-0755-8888-6666');
    expect(maskSensitive('0755-8888-66667')).toBe('0755-8888-66667');
  });

  it('masks an ID number or a phone number typed in full-width characters (全角), keeping the rest as typed', () => {
    // A Chinese input method in full-width mode types digits, X, + and - as U+FF10-FF19, Ｘ, ＋ and －.
    expect(maskSensitive('电话：１３８１２３４５６７８')).toBe('电话：１３８****５６７８');
    expect(maskSensitive('身份证４４０３０５１９９００３０７１２３６。')).toBe('身份证４４０３０５********１２３６。');
    expect(maskSensitive('44030519900307123Ｘ')).toBe('440305********123Ｘ');
    expect(maskSensitive('138１２３４５６７８')).toBe('138****５６７８');
    expect(maskSensitive('＋８６ １３８－１２３４－５６７８')).toBe('＋８６ １３８－****－５６７８');
    expect(maskSensitive('座机０７５５－８８８８６６６６')).toBe('座机０７５５－****６６６６');
    // Full-width digits next to the number still make it part of a longer one.
    expect(maskSensitive('１１３８１２３４５６７８')).toBe('１１３８１２３４５６７８');
    expect(maskSensitive('２０２６年１１月１０日')).toBe('２０２６年１１月１０日');
  });

  it('masks an ID number written in groups as people type it, and a retired 15-digit one', () => {
    // The region and the last 4 characters stay, as for one run of 18; the separators stay where they were.
    expect(maskSensitive('身份证 440305 19900307 1236，')).toBe('身份证 440305 ******** 1236，');
    expect(maskSensitive('id=440305-1990-0307-1236')).toBe('id=440305-****-****-1236');
    expect(maskSensitive('440305 1990 0307 1236')).toBe('440305 **** **** 1236');
    expect(maskSensitive('110105 19491231 002x')).toBe('110105 ******** 002x');
    expect(maskSensitive('（身份证４４０３０５－１９９０－０３０７－１２３６）')).toBe('（身份证４４０３０５－****－****－１２３６）');
    // First generation: 6-digit region, YYMMDD, 3-digit sequence. The sequence stays, no birth-date digit.
    expect(maskSensitive('旧身份证440305900307123已换领')).toBe('旧身份证440305******123已换领');
    expect(maskSensitive('"holder":"440305 900307 123"')).toBe('"holder":"440305 ****** 123"');
    // Two in one text, and one after a run of digits that is not one.
    expect(maskSensitive('440305900307123、440305-1990-0307-1236')).toBe('440305******123、440305-****-****-1236');
    expect(maskSensitive('123456 440305 19900307 1236')).toBe('123456 440305 ******** 1236');
  });

  it('leaves numbers that are not ID numbers as they are', () => {
    for (const text of [
      '440305 19900307 1235', // grouped, wrong check digit
      '440305-1990-0230-1236', // grouped, February 30th
      '990305 19900307 1236', // grouped, no province 99
      '440305900230123', // 15 digits, February 30th
      '440305901307123', // 15 digits, month 13
      '990305900307123', // 15 digits, no province 99
      '202611100001234', // an order number dated 2026-11-10
      '1440305900307123', // 16 digits
      '0.440305900307123', // digits after a decimal point
      '金额 440305900307123.50 元', // an amount
      '2026-11-10 08:30:00',
      '2026-11-10 2026-11-30',
      '{"count":123456789012345,"amount":1234567.89}',
    ]) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('masks an ID number in any grouping a person or a form uses, as a bank card is written too', () => {
    // The region (first 6 digits) and the last 4 characters stay wherever the separators fall.
    expect(maskSensitive('身份证 4403 0519 9003 0712 36')).toBe('身份证 4403 05** **** **12 36');
    expect(maskSensitive('"idNumber":"4403-0519-9003-0712-36"')).toBe('"idNumber":"4403-05**-****-**12-36"');
    expect(maskSensitive('440305 1990 0307 1236')).toBe('440305 **** **** 1236'); // 6-4-4-4
    expect(maskSensitive('440 305 1990 0307 1236')).toBe('440 305 **** **** 1236'); // 3-3-4-4-4
    expect(maskSensitive('1101 0519 4912 3100 2X')).toBe('1101 05** **** **00 2X');
    expect(maskSensitive('11010519491231002 x')).toBe('110105********002 x'); // the check character apart
    // After a date, and next to a number that is not one.
    expect(maskSensitive('2026-11-10 4403 0519 9003 0712 36')).toBe('2026-11-10 4403 05** **** **12 36');
    expect(maskSensitive('4403 0519 9003 0712 36 12')).toBe('4403 05** **** **12 36 12');
    // A retired 15-digit one in groups of four, when they are all its digits.
    expect(maskSensitive('旧证 4403 0590 0307 123')).toBe('旧证 4403 05** **** 123');
    // Not a valid one (440310 19900307 1237 is): a wrong check digit, no such province, no such date.
    for (const text of ['4403 1019 9003 0712 31', '9903 1019 9003 0712 37', '4403 1019 9002 3012 37', '4403 1090 0230 123']) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('keeps bank card numbers, order numbers, amounts and dates that are not ID numbers', () => {
    for (const text of [
      '6222 0212 3456 7890', // a 16-digit card in groups of four
      '6222-0212-3456-7890',
      '6222021234567890',
      '6217 0012 3456 7890 123', // 19 digits: its last 15 (0012 3456 7890 123) are not read as a retired ID
      '6217440305900307123',
      '622202 1234567890123', // 6-13
      'ORD 2026 1110 0001 2345 67', // an order number in groups of four, dated
      '2026-11-10 2026-11-30 2026-12-01',
      '1990 03 07 12:30',
      '金额 1,234,567,890,123,456.78 元', // an amount with commas
      '金额 123 456 789 012 345.00', // with spaces, its integer part 15 digits
      '0.440305 900307 123',
    ]) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it("masks a phone's digits wherever they stand: in a bank card written in fours, before a decimal point", () => {
    // The product holds no card numbers; a rule that kept 6222 0755 8888 6666 as a card would keep a real
    // phone after a group of four too (a room number, a year). Over-masking a card is safe; a phone left is not.
    for (const [text, masked] of [
      ['卡号 6222 0755 8888 6666', '卡号 6222 0755 **** 6666'],
      ['6217-0191-7663-5803-986', '6217-0191-****-5803-986'], // 0191-7663-5803: a mobile dialled with a leading 0
      ['房号 3201 0755 8888 6666', '房号 3201 0755 **** 6666'],
      ['2026 0138 1234 5678', '2026 0138 **** 5678'],
      ['13812345678.5', '138****5678.5'],
      ['比例 0.13812345678', '比例 0.138****5678'],
      ['2026-11-10 0755 8888 6666', '2026-11-10 0755 **** 6666'],
      ['0086 0755 8888 6666', '0086 0755 **** 6666'],
      ['电话13812345678.', '电话138****5678.'],
    ]) {
      expect(maskSensitive(text!)).toBe(masked);
    }
  });

  it('masks every phone in a long line of digit groups', () => {
    const line = '6222 0755 8888 6666 '.repeat(2_000);
    expect(maskSensitive(line)).toBe(line.replace(/0755 8888 6666/g, '0755 **** 6666'));
  });

  it('masks a retired 15-digit ID number cut in fours among other groups, after a group of four too', () => {
    // Fours that start with it and end with its group of three: a number in fours is cut from its first digit.
    expect(maskSensitive('12 4403 0590 0307 123')).toBe('12 4403 05** **** 123');
    expect(maskSensitive('旧证 4403 0590 0307 123 12')).toBe('旧证 4403 05** **** 123 12');
    expect(maskSensitive('2026-11-10 4403-0590-0307-123')).toBe('2026-11-10 4403-05**-****-123');
    expect(maskSensitive('第 3 位 4403 0590 0307 123 号')).toBe('第 3 位 4403 05** **** 123 号');
    // After a group of four, where the last 15 digits of a 19-digit bank card stand: the product holds no card
    // numbers, so a card's digits masked is noise, and a retired number written after a room number or a year
    // and left is a leak.
    expect(maskSensitive('6217 4403 0590 0307 123')).toBe('6217 4403 05** **** 123');
    expect(maskSensitive('6222 0212 4403 0590 0307 123')).toBe('6222 0212 4403 05** **** 123');
    expect(maskSensitive('房号 3201 4403-0590-0307-123')).toBe('房号 3201 4403-05**-****-123');
    for (const text of [
      '12 4403 0590 0230 123', // February 30th
      '12 9903 0590 0307 123', // no province 99
      '12 44 030590 0307 123', // not in fours
      '12 440 305 900 307 123', // in threes, as an amount is written
      '金额 12 4403 0590 0307 123.50', // an amount
    ]) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('masks an ID number whose groups are joined by a full-width space, another dash, a dot, a slash or an underscore', () => {
    // A Chinese input method's full-width space (U+3000) and hyphen, or a hyphen or en dash pasted from Word or
    // a PDF, joining ASCII digits: separators kept as written.
    expect(maskSensitive('身份证 4403\u30000519\u30009003\u30000712\u300036')).toBe('身份证 4403\u300005**\u3000****\u3000**12\u300036');
    expect(maskSensitive('440305－19900307－1236')).toBe('440305－********－1236');
    expect(maskSensitive('440305‑19900307‑1236')).toBe('440305‑********‑1236'); // non-breaking hyphen
    expect(maskSensitive('440305–1990–0307–1236')).toBe('440305–****–****–1236'); // en dash
    expect(maskSensitive('电话\u30000755\u30008888\u30006666')).toBe('电话\u30000755\u3000****\u30006666');
    // Three groups and more joined by one dot, slash or underscore, the same one throughout.
    expect(maskSensitive('证件 440305.19900307.1236。')).toBe('证件 440305.********.1236。');
    expect(maskSensitive('/persons/440305/19900307/1236/x')).toBe('/persons/440305/********/1236/x');
    expect(maskSensitive('scan_440305_19900307_1236.jpg')).toBe('scan_440305_********_1236.jpg');
    expect(maskSensitive('110105.19491231.002X')).toBe('110105.********.002X');
    expect(maskSensitive('１１０１０５．１９４９１２３１．００２Ｘ')).toBe('１１０１０５．********．００２Ｘ');
    expect(maskSensitive('旧证 440305.900307.123')).toBe('旧证 440305.******.123');
    expect(maskSensitive('2026.12.07 440305.19900307.1236')).toBe('2026.12.07 440305.********.1236');
  });

  it('masks an ID number whose groups are joined by separators mixed in one number', () => {
    // Space, hyphen, dot, slash and underscore, any of them between any two groups.
    expect(maskSensitive('440305/19900307-1236')).toBe('440305/********-1236');
    expect(maskSensitive('证件 440305 19900307.1236。')).toBe('证件 440305 ********.1236。');
    expect(maskSensitive('scan_440305_19900307-1236.jpg')).toBe('scan_440305_********-1236.jpg');
    expect(maskSensitive('"id":"4403.0519-9003_0712/36"')).toBe('"id":"4403.05**-****_**12/36"');
    expect(maskSensitive('110105/19491231.002-X')).toBe('110105/********.002-X');
    expect(maskSensitive('2026-12-07 08.30.00 440305.19900307 1236')).toBe('2026-12-07 08.30.00 440305.******** 1236');
    expect(maskSensitive('旧证 440305/900307-123')).toBe('旧证 440305/******-123');
    expect(maskSensitive('旧证 440305_900307 123')).toBe('旧证 440305_****** 123');
    // One dot between two groups alone is a decimal point; a slash or an underscore alone joins two numbers.
    // A date and a time are too short; a retired number, with no check digit, is not read across a decimal
    // point or next to one (an amount's digits).
    for (const text of [
      '440305.199003071236',
      '44030519900307/1236',
      '2026-12-07 08.30.00',
      '2026/12/07-08.30',
      '440305 19900307.1235', // wrong check digit
      '0.440305 900307 123',
      '440305 900307.123',
      '440305900307123.50 12',
      '12.5 440305/900307.123',
    ]) {
      expect(maskSensitive(text)).toBe(text);
    }
    // A decimal point is a dot alone: the dots of a number in dots are not.
    expect(maskSensitive('1.440305.900307.123')).toBe('1.440305.******.123');
    expect(maskSensitive('440305900307123/5')).toBe('440305******123/5');
  });

  it('masks a retired 15-digit ID number cut anyhow by one dot, slash, underscore or space, next to other numbers', () => {
    // Its groups all the digits joined by one separator (a space or a hyphen, or a dot, a slash or an underscore
    // in three groups or more), whatever number stands next to it joined by another: a date before it, a copy
    // number after it. Before separators could mix in one number, these stood alone and were masked.
    expect(maskSensitive('2026-12-07 440.305.900.307.123')).toBe('2026-12-07 440.305.***.***.123');
    expect(maskSensitive('旧证 44030.59003.07123 2份')).toBe('旧证 44030.5****.**123 2份');
    expect(maskSensitive('no.440_305_900_307_123-01')).toBe('no.440_305_***_***_123-01');
    expect(maskSensitive('12.5 44030/59003/07123')).toBe('12.5 44030/5****/**123');
    expect(maskSensitive('x 440 305 900 307 123/1')).toBe('x 440 305 *** *** 123/1');
    expect(maskSensitive('no.440305 900307123/1')).toBe('no.440305 ******123/1');
    // Still not: a stretch of a longer run of one separator (a bank card's, an order number's), two groups
    // joined by one dot (an amount), or digits a decimal point touches.
    for (const text of ['2026-12-07 440 305 900 307 123', '440.305.900.307.123.45', '1 44030590.0307123 x', '0.440.305.900.307.123 1', '1/44030590/0307123 x']) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('masks an ID number or a phone number whose groups are joined by a no-break space', () => {
    // U+00A0, and the narrow U+202F, as a word processor or a web form puts them between groups.
    expect(maskSensitive('440305\u00a019900307\u00a01236')).toBe('440305\u00a0********\u00a01236');
    expect(maskSensitive('138\u00a01234\u00a05678')).toBe('138\u00a0****\u00a05678');
    expect(maskSensitive('440305\u202f19900307\u202f1236')).toBe('440305\u202f********\u202f1236');
    expect(maskSensitive('138\u202f1234\u202f5678')).toBe('138\u202f****\u202f5678');
    expect(maskSensitive('0755\u00a08888\u00a06666')).toBe('0755\u00a0****\u00a06666');
    expect(maskSensitive('旧证 440305\u00a0900307\u00a0123')).toBe('旧证 440305\u00a0******\u00a0123');
    // In a line of ASCII otherwise (kept by V8 as one byte a character), and in one with CJK text.
    expect(maskSensitive('{"note":"call 138\u00a01234\u00a05678","amount":"1\u00a0234.50"}')).toBe(
      '{"note":"call 138\u00a0****\u00a05678","amount":"1\u00a0234.50"}',
    );
    expect(maskSensitive('请回电 138\u202f1234\u202f5678，身份证 4403\u00a00519\u00a09003\u00a00712\u00a036')).toBe(
      '请回电 138\u202f****\u202f5678，身份证 4403\u00a005**\u00a0****\u00a0**12\u00a036',
    );
  });

  it('masks a mobile written with dots', () => {
    expect(maskSensitive('138.1234.5678')).toBe('138.****.5678');
    expect(maskSensitive('+86.138.1234.5678')).toBe('+86.138.****.5678');
    expect(maskSensitive('手机：138.1234.5678。')).toBe('手机：138.****.5678。');
    expect(maskSensitive('138 1234.5678, 138.1234-5678')).toBe('138 ****.5678, 138.****-5678');
    expect(maskSensitive('１３８．１２３４．５６７８')).toBe('１３８．****．５６７８');
    // One dot alone between its digits is a decimal point, as for an ID number: a number, not a phone.
    for (const text of ['138.12345678', '1381234.5678', '1.138.1234.56789']) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('masks a fixed line written with dots, as a mobile in dots is', () => {
    expect(maskSensitive('0755.8888.6666')).toBe('0755.****.6666');
    expect(maskSensitive('(0755).8888.6666')).toBe('(0755).****.6666');
    expect(maskSensitive('020.8888.6666')).toBe('020.****.6666');
    expect(maskSensitive('+86.755.8888.6666')).toBe('+86.755.****.6666');
    expect(maskSensitive('0086.10.6234.5678')).toBe('0086.10.****.5678');
    expect(maskSensitive('座机：0728.123.4567。')).toBe('座机：0728.***.4567。');
    expect(maskSensitive('0755 8888.6666, 0755.8888-6666')).toBe('0755 ****.6666, 0755.****-6666');
    expect(maskSensitive('+86 755.8888.6666')).toBe('+86 755.****.6666');
    expect(maskSensitive('０７５５．８８８８．６６６６')).toBe('０７５５．****．６６６６');
    // One dot alone between its digits is a decimal point: a number, not a phone. Nor inside a longer number
    // or code, as for a fixed line in hyphens or spaces.
    for (const text of ['0755.8888', '0755.88886666', '07558888.6666', '+86.755.88886666', '+86.75588886666', '0755.8888.66667', '0755.8888.6666.5', '1.0755.8888.6666', 'v0755.8888.6666', '2026.0755.8888.6666']) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('keeps amounts, versions, dates and addresses with dots that hold no fixed line', () => {
    for (const text of ['1.2.3', 'v1.22.333', '10.0.0.1', '010.010.010.010', '192.168.0.1', '0.755', '0755.50', '07.55.8888', '2026.12.07', '07.12.2026', '1,234.5678', '0.8888.6666']) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('keeps dates, times, versions and amounts written with dots or slashes', () => {
    for (const text of [
      '2026.12.07',
      '2026.12.07 08.30.00',
      '2026/12/07 08:30',
      '07.12.2026',
      '2026.12.07.08.30.00.123',
      '２０２６．１２．０７',
      '192.168.100.200',
      'v1.22.333.4444',
      '440305.199003071236', // one dot: a decimal number
      '１２３４５６７．８９',
      '1.234.567.890.123,45',
      '440305.19900307.1235', // wrong check digit
    ]) {
      expect(maskSensitive(text)).toBe(text);
    }
  });

  it('masks an ID number in groups, or a retired one, glued to letters, as a run of 18 is', () => {
    // Only digits make it part of a longer number; a letter or a CJK character next to it does not.
    expect(maskSensitive('ID440305199003071236x')).toBe('ID440305********1236x');
    expect(maskSensitive('ID440305 19900307 1236x')).toBe('ID440305 ******** 1236x');
    expect(maskSensitive('身份证号440305 19900307 1236')).toBe('身份证号440305 ******** 1236');
    expect(maskSensitive('no.440305 19900307 1236')).toBe('no.440305 ******** 1236');
    expect(maskSensitive('no.440305900307123')).toBe('no.440305******123');
    expect(maskSensitive('SQ440305900307123')).toBe('SQ440305******123');
    expect(maskSensitive('ORD-440305900307123')).toBe('ORD-440305******123');
    expect(maskSensitive('/persons/440305-900307-123/x')).toBe('/persons/440305-******-123/x');
    expect(maskSensitive('证号4403 0590 0307 123号')).toBe('证号4403 05** **** 123号');
    // Digits next to it still make it part of a longer number.
    expect(maskSensitive('1440305 19900307 1236')).toBe('1440305 19900307 1236');
    expect(maskSensitive('440305 19900307 12367')).toBe('440305 19900307 12367');
    expect(maskSensitive('4403059003071234')).toBe('4403059003071234');
  });

  it('masks any fixed line written in groups, alone or in text', () => {
    const area = fc.oneof(fc.constant('010'), fc.integer({ min: 20, max: 29 }).map((n) => `0${n}`), fc.integer({ min: 300, max: 999 }).map((n) => `0${n}`));
    const head = fc.oneof(fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')), fc.integer({ min: 0, max: 9_999 }).map((n) => String(n).padStart(4, '0')));
    const tail = fc.integer({ min: 0, max: 9_999 }).map((n) => String(n).padStart(4, '0'));
    fc.assert(
      fc.property(fc.constantFrom('', '+86 ', '0086-'), area, fc.constantFrom('-', ' ', ''), head, fc.constantFrom('-', ' '), tail, fc.constantFrom(['', ''], ['电话', '，'], ['tel: ', ' ext']), (intl, a, sep, h, sep2, t, [before, after]) => {
        const written = intl === '' ? a : `${intl}${a.slice(1)}`;
        const masked = maskSensitive(`${before}${written}${sep}${h}${sep2}${t}${after}`);
        expect(masked).toBe(`${before}${written}${sep}${'*'.repeat(h.length)}${sep2}${t}${after}`);
      }),
    );
  });

  it('masks any fixed line written with dots, alone or in text', () => {
    // A dot joins the groups when every break is a separator (a dot, a hyphen or a space), as for a mobile.
    const area = fc.oneof(fc.constant('010'), fc.integer({ min: 20, max: 29 }).map((n) => `0${n}`), fc.integer({ min: 300, max: 999 }).map((n) => `0${n}`));
    const head = fc.oneof(fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')), fc.integer({ min: 0, max: 9_999 }).map((n) => String(n).padStart(4, '0')));
    const tail = fc.integer({ min: 0, max: 9_999 }).map((n) => String(n).padStart(4, '0'));
    const cut = fc.constantFrom('.', '-', ' ');
    const cuts = fc.tuple(cut, cut).filter(([a, b]) => a === '.' || b === '.');
    fc.assert(
      fc.property(fc.constantFrom('', '+86.', '0086.', '+86 '), area, cuts, head, tail, fc.constantFrom(['', ''], ['电话', '，'], ['tel: ', ' ext']), (intl, a, [sep, sep2], h, t, [before, after]) => {
        const written = intl === '' ? a : `${intl}${a.slice(1)}`;
        const masked = maskSensitive(`${before}${written}${sep}${h}${sep2}${t}${after}`);
        expect(masked).toBe(`${before}${written}${sep}${'*'.repeat(h.length)}${sep2}${t}${after}`);
      }),
    );
  });

  it('masks every ID number in a line that holds thousands of them in groups', () => {
    // One run of groups from the first to the last: the masked text is built once, not once for each number.
    const ids = Array.from({ length: 3000 }, (_, k) => makeIdNumber('440305', '19900307', String(k % 1000).padStart(3, '0')));
    const written = ids.map((id) => `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`).join(' ');
    const masked = ids.map((id) => `${id.slice(0, 6)} ******** ${id.slice(14)}`).join(' ');
    expect(maskSensitive(`ids: ${written}.`)).toBe(`ids: ${masked}.`);
    // Retired numbers and other groups between them, each read on its own.
    const mixed = Array.from({ length: 2000 }, (_, k) => (k % 2 === 0 ? `440305 900307 ${String(k % 1000).padStart(3, '0')}` : '2026')).join('-');
    expect(maskSensitive(mixed)).toBe(mixed.replaceAll(/440305 900307/g, '440305 ******'));
  });
});

describe('properties', () => {
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  const region = fc.tuple(fc.constantFrom('11', '31', '44', '51', '65', '81'), digits(4)).map(([p, r]) => p + r);
  const birth = fc
    .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10).replaceAll('-', ''));
  const idNumber = fc.tuple(region, birth, digits(3)).map(([r, b, s]) => makeIdNumber(r, b, s));
  const creditChar = fc.constantFrom(...CREDIT_CODE_CHARS);
  const creditCode = fc.array(creditChar, { minLength: 17, maxLength: 17 }).map((cs) => makeCreditCode(cs.join('')));

  it('every generated ID number validates', () => {
    fc.assert(fc.property(idNumber, (id) => isValidIdNumber(id)));
  });

  it('birthDateOf gives back the birth date an ID number was made with', () => {
    fc.assert(
      fc.property(region, birth, digits(3), (r, b, seq) => {
        expect(birthDateOf(makeIdNumber(r, b, seq))).toBe(`${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`);
      }),
    );
  });

  it('every generated credit code validates', () => {
    fc.assert(fc.property(creditCode, (code) => isValidCreditCode(code)));
  });

  it('changing any one digit of the first 17 of an ID number is always detected by the check digit', () => {
    // MOD 11-2 weights are all non-zero modulo 11, so every single-digit substitution changes the check.
    fc.assert(
      fc.property(idNumber, fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (id, pos, delta) => {
        const changed = String((Number(id[pos]) + delta) % 10);
        const mutated = id.slice(0, pos) + changed + id.slice(pos + 1);
        expect(idNumberCheckChar(mutated.slice(0, 17))).not.toBe(id[17]);
        expect(isValidIdNumber(mutated)).toBe(false);
      }),
    );
  });

  it('changing the check character of an ID number is always detected', () => {
    fc.assert(
      fc.property(idNumber, fc.constantFrom(...'0123456789X'), (id, c) => {
        fc.pre(c !== id[17]);
        expect(isValidIdNumber(id.slice(0, 17) + c)).toBe(false);
      }),
    );
  });

  it('changing any one character of a credit code is always detected', () => {
    // 31 is prime and no weight is a multiple of 31, so every single substitution changes the check.
    fc.assert(
      fc.property(creditCode, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (code, pos, delta) => {
        const changed = CREDIT_CODE_CHARS[(CREDIT_CODE_CHARS.indexOf(code[pos]!) + delta) % 31]!;
        const mutated = code.slice(0, pos) + changed + code.slice(pos + 1);
        expect(isValidCreditCode(mutated)).toBe(false);
      }),
    );
  });

  /** Around a number in a text: nothing, words, a JSON value, letters glued to it (`ID…x`, `no.…`). */
  const around = fc.constantFrom(['', ''], ['身份证', '，'], ['"applicantId":"', '"'], ['id: ', ' ok'], ['ID', 'x'], ['no.', ''], ['SQ', '号']);
  /** `chars` cut into groups wherever a person or a form may cut them, each cut a space or a hyphen. */
  const grouped = (chars: string) =>
    fc.array(fc.constantFrom('', '', ' ', '-'), { minLength: chars.length - 1, maxLength: chars.length - 1 }).map((cuts) => [...chars].map((c, i) => (i === 0 ? c : `${cuts[i - 1]}${c}`)).join(''));
  /** `written` with the digits after the first 6 and before the last `kept` characters masked, separators as written. */
  const masking = (written: string, kept: number) => {
    const length = written.replace(/[^\dXx]/g, '').length;
    let i = 0;
    return written.replace(/[\dXx]/g, (c) => (i++ >= 6 && i <= length - kept ? '*' : c));
  };

  it('masking hides the birth date of any ID number written in groups, in any text', () => {
    const sep = fc.constantFrom(' ', '-');
    fc.assert(
      fc.property(idNumber, fc.boolean(), sep, fc.constantFrom('', ' ', '-'), sep, around, (id, lower, s1, s2, s3, [before, after]) => {
        const written = `${id.slice(0, 6)}${s1}${id.slice(6, 10)}${s2}${id.slice(10, 14)}${s3}${lower ? id.slice(14).toLowerCase() : id.slice(14)}`;
        const masked = maskSensitive(`${before}${written}${after}`);
        expect(masked).toBe(`${before}${id.slice(0, 6)}${s1}****${s2}****${s3}${written.slice(-4)}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any ID number in any grouping (4-4-4-4-2, 3-3-4-4-4, …), in any text', () => {
    fc.assert(
      fc.property(idNumber.chain((id) => grouped(id)), around, (written, [before, after]) => {
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 4)}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any ID number cut with a full-width space or another dash', () => {
    const cut = fc.constantFrom('', '', ' ', '-', '\u3000', '－', '‐', '‑', '‒', '–');
    const cutWith = (chars: string) =>
      fc.array(cut, { minLength: chars.length - 1, maxLength: chars.length - 1 }).map((cuts) => [...chars].map((c, i) => (i === 0 ? c : `${cuts[i - 1]}${c}`)).join(''));
    fc.assert(
      fc.property(idNumber.chain(cutWith), around, (written, [before, after]) => {
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 4)}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any ID number cut with separators mixed, no-break spaces among them', () => {
    const cut = fc.constantFrom('', '', ' ', '-', '.', '/', '_', '\u00a0', '\u202f', '\u3000', '－');
    const cutWith = (chars: string) =>
      fc.array(cut, { minLength: chars.length - 1, maxLength: chars.length - 1 }).map((cuts) => [...chars].map((c, i) => (i === 0 ? c : `${cuts[i - 1]}${c}`)).join(''));
    fc.assert(
      fc.property(idNumber.chain(cutWith), around, (written, [before, after]) => {
        // Not two groups joined by one dot, slash or underscore alone: two numbers.
        fc.pre(!/^[\dXx]+[./_][\dXx]+$/.test(written));
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 4)}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any ID number in three groups or more joined by a dot, a slash or an underscore', () => {
    const oldId = fc.tuple(region, fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(1999, 11, 31)), noInvalidDate: true }), digits(3))
      .map(([r, b, seq]) => `${r}${b.toISOString().slice(2, 10).replaceAll('-', '')}${seq}`);
    const dotted = (chars: string) =>
      fc.tuple(fc.constantFrom('.', '/', '_'), fc.array(fc.boolean(), { minLength: chars.length - 1, maxLength: chars.length - 1 })).map(([sep, cuts]) => {
        // At least two cuts: one dot between two groups is a decimal point.
        const at = cuts.filter(Boolean).length >= 2 ? cuts : cuts.map((c, i) => c || i === 5 || i === 13);
        return [...chars].map((c, i) => (i > 0 && at[i - 1] ? `${sep}${c}` : c)).join('');
      });
    fc.assert(
      fc.property(idNumber.chain(dotted), around, (written, [before, after]) => {
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 4)}${after}`);
      }),
    );
    fc.assert(
      fc.property(oldId.chain(dotted), around, (written, [before, after]) => {
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 3)}${after}`);
      }),
    );
  });

  it('masking keeps any date and time written with dots or slashes', () => {
    const date = fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(
      fc.property(date, fc.constantFrom('.', '/'), fc.constantFrom('ymd', 'dmy', 'ymd hms', 'ymd.hms.ms'), around, (iso, sep, form, [before, after]) => {
        const [y, m, d, hh, mm, ss, ms] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19), iso.slice(20, 23)];
        const written = {
          ymd: [y, m, d].join(sep),
          dmy: [d, m, y].join(sep),
          'ymd hms': `${[y, m, d].join(sep)} ${[hh, mm, ss].join('.')}`,
          'ymd.hms.ms': [y, m, d, hh, mm, ss, ms].join(sep),
        }[form]!;
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${written}${after}`);
      }),
    );
  });

  it('masking keeps any bank card number in groups of four, or in one run, in any text', () => {
    // 16 or 19 digits (UnionPay 6222…, Visa 4…, 9558…): no stretch of whole groups is an ID number, and the last
    // 15 digits of a 19-digit one are not read as a retired one unless they have its province and birth date
    // (those are masked, see above). Groups after the first start with 1-9 here: one
    // like 0755 before two more (6222 0755 8888 6666) reads as a fixed line and is masked, as a phone always is.
    const group = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(3)).map(([d, rest]) => `${d}${rest}`);
    const first = fc.tuple(fc.integer({ min: 2, max: 9 }), digits(3)).map(([d, rest]) => `${d}${rest}`);
    fc.assert(
      fc.property(first, fc.array(group, { minLength: 3, maxLength: 3 }), fc.constantFrom(0, 3), digits(3), fc.constantFrom(' ', '-', ''), around, (head, middle, tail, last, sep, [before, after]) => {
        const written = [head, ...middle, ...(tail === 0 ? [] : [last])].join(sep);
        const end15 = middle.join('') + last;
        fc.pre(tail === 0 || sep === '' || !hasIdNumberShape(`${end15.slice(0, 6)}19${end15.slice(6)}0`));
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${written}${after}`);
      }),
    );
  });

  it('masking keeps any amount, its integer part up to 15 digits, in any text', () => {
    // Whole, in thousands with commas or spaces. Not one whose integer part reads as a mobile (13821005827.47):
    // its phone-shaped digits are masked, as a phone's always are.
    const integer = fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }).map(String).filter((i) => !/^1[3-9]\d{9}$/.test(i));
    fc.assert(
      fc.property(integer, fc.constantFrom('', ',', ' '), fc.integer({ min: 1, max: 4 }).chain(digits), around, (int, thousands, decimals, [before, after]) => {
        const written = `${int.replace(/\B(?=(\d{3})+$)/g, thousands)}.${decimals}`;
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${written}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any retired 15-digit ID number, in any text', () => {
    const oldBirth = fc
      .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(1999, 11, 31)), noInvalidDate: true })
      .map((d) => d.toISOString().slice(2, 10).replaceAll('-', ''));
    fc.assert(
      fc.property(region, oldBirth, digits(3), fc.constantFrom('', ' ', '-'), fc.oneof(around, fc.constant(['旧证', '。'])), (r, b, seq, sep, [before, after]) => {
        const masked = maskSensitive(`${before}${r}${sep}${b}${sep}${seq}${after}`);
        expect(masked).toBe(`${before}${r}${sep}******${sep}${seq}${after}`);
        // As an answer's idNumber field shows it.
        if (sep === '') expect(masked).toBe(`${before}${maskIdNumber(r + b + seq)}${after}`);
      }),
    );
    // In any grouping, when its groups are all its digits.
    fc.assert(
      fc.property(fc.tuple(region, oldBirth, digits(3)).chain(([r, b, seq]) => grouped(r + b + seq)), around, (written, [before, after]) => {
        expect(maskSensitive(`${before}${written}${after}`)).toBe(`${before}${masking(written, 3)}${after}`);
      }),
    );
  });

  it('masking hides the birth date of any retired 15-digit ID number cut in fours among other groups', () => {
    const oldId = fc.tuple(region, fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(1999, 11, 31)), noInvalidDate: true }), digits(3))
      .map(([r, b, seq]) => `${r}${b.toISOString().slice(2, 10).replaceAll('-', '')}${seq}`);
    const sep = fc.constantFrom(' ', '-');
    const inFours = fc.tuple(oldId, sep, sep, sep).map(([id, s1, s2, s3]) => `${id.slice(0, 4)}${s1}${id.slice(4, 8)}${s2}${id.slice(8, 12)}${s3}${id.slice(12)}`);
    // A group before it of any length, a group after it of any length; never 18 digits in all, which
    // could be read as an 18-character ID number with its own check digit. The group before starts with 2-9:
    // one like 0755123 or 13800000 before more groups reads as a phone, another pattern's business.
    const before = fc.oneof(fc.constant(''), fc.tuple(fc.integer({ min: 2, max: 9 }), fc.constantFrom(0, 1, 3, 4, 5, 6, 7).chain(digits)).map(([d, rest]) => `${d}${rest}`));
    const after = fc.oneof(fc.constant(''), fc.constantFrom(1, 2, 4, 5, 6).chain(digits));
    const text = fc.constantFrom(['', ''], ['旧证', '。'], ['"holder":"', '"'], ['id: ', ' ok'], ['no.', ''], ['SQ', '号']);
    fc.assert(
      fc.property(before, inFours, after, sep, text, (b, written, a, s, [left, right]) => {
        fc.pre(b !== '' || a !== '');
        fc.pre(b.length + a.length !== 3);
        const head = b === '' ? '' : `${b}${s}`;
        const tail = a === '' ? '' : `${s}${a}`;
        expect(maskSensitive(`${left}${head}${written}${tail}${right}`)).toBe(`${left}${head}${masking(written, 3)}${tail}${right}`);
      }),
    );
    // After a group of four, where the last 15 digits of a 19-digit bank card stand, it is masked too.
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 2, max: 9 }), digits(3)), inFours, around, ([d, rest], written, [left, right]) => {
        expect(maskSensitive(`${left}${d}${rest} ${written}${right}`)).toBe(`${left}${d}${rest} ${masking(written, 3)}${right}`);
      }),
    );
  });

  it('masking keeps the length of any text', () => {
    // The full-width reading relies on it: a masked character stands where it stood.
    fc.assert(fc.property(fc.stringMatching(/^[0-9 \-.Xx+()a-z]{0,40}$/), (text) => maskSensitive(text).length === text.length));
  });

  it('masking hides the birth date and sequence of any ID number in any text', () => {
    fc.assert(
      fc.property(idNumber, fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (id, before, after) => {
        // Letters around it do not hide it (`SQ440305…`); only digits make it part of a longer number.
        fc.pre(!/[0-9]$/.test(before) && !/^[0-9]/.test(after));
        const masked = maskSensitive(`${before}${id}${after}`);
        expect(masked).toContain(maskIdNumber(id));
        expect(masked).not.toContain(id);
      }),
    );
  });
});
