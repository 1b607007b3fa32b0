/** Another writer appended to the stream first; the runner reloads and decides again. */
export class VersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number | 'no_stream' | 'any',
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, expected ${String(expected)}`);
    this.name = 'VersionConflict';
  }
}
