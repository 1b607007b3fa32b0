/**
 * What a plan decided on changed before it could commit: another writer appended first, or a fact
 * the plan claimed (`StreamClaim`) no longer holds. The runner reloads and decides again.
 */
export class VersionConflict extends Error {
  constructor(
    readonly streamId: string,
    detail: string,
  ) {
    super(`Stream ${streamId}: ${detail}`);
    this.name = 'VersionConflict';
  }

  static atVersion(
    streamId: string,
    expected: number | 'no_stream' | 'any',
    actual: number,
  ): VersionConflict {
    return new VersionConflict(streamId, `at version ${actual}, expected ${String(expected)}`);
  }
}
