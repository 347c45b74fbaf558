import { creditCodeCheckChar, hasIdNumberShape, idNumberCheckChar, isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { registryRoutes } from '#query/registry';

/** The credit route, for answers it gives before reading any record. */
async function getCredit(subjectId: string) {
  const out = await registryRoutes['GET /credit/{subjectId}']!({ params: { subjectId }, query: {}, principal: '/auditors/credit-test', event: {} as never });
  return { status: out.statusCode, body: JSON.parse(String(out.body)) as { error: string } };
}

/**
 * A mistyped ID number that passes the credit-code check: the first 17 digits of a real one, then the digit the
 * MOD 31 credit-code check asks for where it differs from the ID number's own check digit.
 */
function mistypedIdPassingCreditCheck(): string {
  for (let seq = 0; seq < 1000; seq++) {
    const first17 = `44030519900307${String(seq).padStart(3, '0')}`;
    const creditCheck = creditCodeCheckChar(first17);
    if (/\d/.test(creditCheck) && creditCheck !== idNumberCheckChar(first17)) return first17 + creditCheck;
  }
  throw new Error('no such value among 1000 sequences');
}

describe('GET /credit/{subjectId}: a value is judged as the edge judges it', () => {
  it('reads a value with an ID number\'s form as an ID number only, and names its check digit', async () => {
    const mistyped = mistypedIdPassingCreditCheck();
    expect([hasIdNumberShape(mistyped), isValidIdNumber(mistyped), isValidCreditCode(mistyped)]).toEqual([true, false, true]);
    const out = await getCredit(mistyped);
    expect(out.status).toBe(400);
    expect(out.body.error).toBe(
      'subjectId must be a valid ID number or unified social credit code (check digit): it has the region and birth date of an ID number, so it is checked as one, and its check digit is wrong',
    );
  });

  it('names the check digit of any ID-shaped value with a wrong one, and only of those', async () => {
    expect((await getCredit('440305199003071230')).body.error).toMatch(/its check digit is wrong$/);
    // Neither an ID number's form nor a credit code: the general message.
    for (const value of ['91440300MA5H7R3N0Z', '440305199002301236', 'not-a-subject']) {
      const out = await getCredit(value);
      expect(out).toEqual({ status: 400, body: { error: 'subjectId must be a valid ID number or unified social credit code (check digit)' } });
    }
  });
});
