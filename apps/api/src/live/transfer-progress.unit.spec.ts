import type { ProgressSample } from './transfer-progress';
import { STALL_AFTER_MS, TransferProgress } from './transfer-progress';

const sample = (bytesTransferred: number, overrides: Partial<ProgressSample> = {}) => ({
  name: 'disk.iso',
  status: 'TRANSFERRING',
  bytesTransferred,
  size: 10_000,
  transferring: true,
  ...overrides,
});

describe('transfer progress: rate, ETA and stalls', () => {
  it('knows no rate from a single sample', () => {
    const [file] = new TransferProgress().observe([sample(500)], 0);
    expect(file).toMatchObject({ bytesTransferred: 500, bytesPerSecond: 0, stalled: false });
    expect(file!.etaSeconds).toBeUndefined();
  });

  it('derives the rate over the last seconds and the time left at that rate', () => {
    const progress = new TransferProgress();
    progress.observe([sample(0)], 0);
    progress.observe([sample(1_000)], 1_000);
    const [file] = progress.observe([sample(2_000)], 2_000);
    expect(file!.bytesPerSecond).toBe(1_000);
    expect(file!.etaSeconds).toBe(8);
  });

  it('forgets samples older than its window, so a change of pace shows quickly', () => {
    const progress = new TransferProgress();
    progress.observe([sample(0)], 0);
    progress.observe([sample(9_000)], 1_000);
    const [file] = progress.observe([sample(9_500)], 6_500);
    expect(file!.bytesPerSecond).toBe(0);
  });

  it('flags a transfer with no new byte for the stall time, and clears the flag when bytes flow', () => {
    const progress = new TransferProgress();
    progress.observe([sample(100)], 0);
    expect(progress.observe([sample(100)], STALL_AFTER_MS - 1)[0]!.stalled).toBe(false);
    expect(progress.observe([sample(100)], STALL_AFTER_MS)[0]!.stalled).toBe(true);
    expect(progress.observe([sample(200)], STALL_AFTER_MS + 1)[0]!.stalled).toBe(false);
  });

  it('never calls a file stalled that is not transferring', () => {
    const progress = new TransferProgress();
    const idle = sample(0, { status: 'WAITING_FOR_TRANSFER', transferring: false });
    progress.observe([idle], 0);
    expect(progress.observe([idle], 60_000)[0]!.stalled).toBe(false);
  });
});
