/** One file's bytes as read from the views at one moment. */
export interface ProgressSample {
  readonly name: string;
  readonly status: string;
  readonly bytesTransferred: number;
  /** The expected size, when known. */
  readonly size?: number;
  /** Whether bytes are expected to flow now: a stall is only a stall then. */
  readonly transferring: boolean;
}

export interface FileProgress extends ProgressSample {
  /** Mean rate over the last few seconds. */
  readonly bytesPerSecond: number;
  /** Seconds left at that rate; absent when the size or a rate is unknown. */
  readonly etaSeconds?: number;
  /** Transferring, yet no new byte for `STALL_AFTER_MS`. */
  readonly stalled: boolean;
}

/** Long enough to smooth bursty writes, short enough to show a change of pace within seconds. */
const RATE_WINDOW_MS = 5_000;
export const STALL_AFTER_MS = 10_000;

interface Point {
  readonly at: number;
  readonly bytes: number;
}

/**
 * Turns successive byte counts into rate, ETA and a stall flag. Pure apart from its
 * memory of earlier samples; the caller supplies the clock.
 */
export class TransferProgress {
  private readonly points = new Map<string, Point[]>();
  private readonly lastGrowth = new Map<string, number>();

  observe(samples: readonly ProgressSample[], at: number): FileProgress[] {
    return samples.map((sample) => {
      const earlier = this.points.get(sample.name) ?? [];
      const previous = earlier.at(-1);
      if (previous === undefined || sample.bytesTransferred !== previous.bytes) {
        this.lastGrowth.set(sample.name, at);
      }
      const points = [...earlier, { at, bytes: sample.bytesTransferred }].filter(
        (point) => at - point.at <= RATE_WINDOW_MS,
      );
      this.points.set(sample.name, points);
      const first = points[0]!;
      const seconds = (at - first.at) / 1000;
      const bytesPerSecond =
        seconds > 0 ? Math.max(0, sample.bytesTransferred - first.bytes) / seconds : 0;
      const remaining =
        sample.size === undefined ? undefined : Math.max(0, sample.size - sample.bytesTransferred);
      const stalled =
        sample.transferring && at - (this.lastGrowth.get(sample.name) ?? at) >= STALL_AFTER_MS;
      return {
        ...sample,
        bytesPerSecond,
        ...(remaining !== undefined && bytesPerSecond > 0
          ? { etaSeconds: Math.ceil(remaining / bytesPerSecond) }
          : {}),
        stalled,
      };
    });
  }
}
