/** `npm run resync`'s command line: what it asks the sender for, and the mistakes it names. */
import { UsageError, parseCommandLine } from '#local/cli';
import { repushRequest, RESYNC } from '#scripts/resync';

const request = (...argv: string[]) => repushRequest(parseCommandLine(RESYNC, argv, {}), { USER: 'li' });

describe('npm run resync', () => {
  it('asks for records by name, by day (optionally in some states) or by state, mapped again unless told not to', () => {
    expect(request('--record', 'C1#1, C2#10')).toEqual({ repush: { by: 'record', recordIds: ['C1#1', 'C2#10'] }, remap: true, actor: 'operator:li' });
    expect(request('--day', '2026-11-02', '--state', 'rejected,PARKED')).toMatchObject({ repush: { by: 'day', day: '2026-11-02', states: ['REJECTED', 'PARKED'] } });
    expect(request('--state', 'PARKED', '--no-remap', '--actor', 'ops:wang')).toEqual({ repush: { by: 'state', states: ['PARKED'] }, remap: false, actor: 'ops:wang' });
  });

  it.each([
    [[], /say which records/],
    [['--state', 'DONE'], /unknown state DONE/],
    [['--day', '2026-13-45'], /--day: expected a date/],
    [['--day', '11/02'], /--day: expected a date/],
    [['--record', 'C1#1', '--state', 'ACKED'], /--record names records itself/],
    [['--record', ','], /--record: give a record id/],
  ])('refuses %j with a clear error', (argv, message) => {
    expect(() => request(...(argv as string[]))).toThrow(UsageError);
    expect(() => request(...(argv as string[]))).toThrow(message);
  });
});
