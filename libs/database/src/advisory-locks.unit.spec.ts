import { AdvisoryLock } from './advisory-locks';

describe('AdvisoryLock', () => {
  it('gives every fleet-wide task a key of its own', () => {
    const keys = Object.values(AdvisoryLock);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
