/** A stream's folded state at a committed version. */
export interface StreamState {
  readonly state: unknown;
  readonly version: number;
}

/**
 * The last folded state this process saw of each stream, so a command does not re-read a stream it
 * (or an earlier command) just decided on. An entry may be stale: another process may have
 * appended since. It is only ever used where the commit proves it current (the expected-version
 * append, or a guard), and a plan whose outcome the commit does not prove is run again on fresh
 * reads (`DecisionScope`). Least recently used entries go first past `capacity`.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, StreamState>();

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): StreamState | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  /** Keeps `entry` unless a newer version of the stream is already known. */
  remember(streamId: string, entry: StreamState): void {
    const known = this.entries.get(streamId);
    if (known !== undefined && known.version > entry.version) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      const [oldest] = this.entries.keys();
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }
}
