import { EventEmitter, once } from 'node:events';

/**
 * A wake-up signal that is never lost and never piles up: rings while nobody waits are kept as
 * one, so a reader woken once re-reads everything that changed meanwhile.
 */
export class Doorbell {
  private readonly bell = new EventEmitter();
  private rung = false;

  ring(): void {
    this.rung = true;
    this.bell.emit('ring');
  }

  /** Forgets a ring nobody waited for (a reader about to re-read everything anyway). */
  clear(): void {
    this.rung = false;
  }

  /** Resolves at the next ring (at once if one came since the last wait); rejects on abort. */
  async wait(signal: AbortSignal): Promise<void> {
    if (!this.rung) await once(this.bell, 'ring', { signal });
    this.rung = false;
  }
}
