import { nextExpiryCheck } from '@cls/domain';

describe('nextExpiryCheck: when a session expiry job asks again', () => {
  const eventsDeadline = '2026-01-01T00:05:00.000Z';

  it('at the deadline the events set', () => {
    expect(nextExpiryCheck({ status: 'ACTIVE', expiresAt: eventsDeadline })).toBe(eventsDeadline);
  });

  it('at the later deadline when upload or download activity moved it past the events', () => {
    const activity = '2026-01-01T00:07:00.000Z';
    expect(nextExpiryCheck({ status: 'ACTIVE', expiresAt: eventsDeadline }, activity)).toBe(
      activity,
    );
    expect(
      nextExpiryCheck({ status: 'ACTIVE', expiresAt: eventsDeadline }, '2026-01-01T00:01:00.000Z'),
    ).toBe(eventsDeadline);
  });

  it('at the purge time of a finished session', () => {
    expect(nextExpiryCheck({ status: 'DONE', expiresAt: eventsDeadline })).toBe(eventsDeadline);
  });

  it('never once the session is purged', () => {
    expect(nextExpiryCheck({ status: 'DELETED' })).toBeUndefined();
    expect(nextExpiryCheck({ status: 'EMPTY' })).toBeUndefined();
  });
});
