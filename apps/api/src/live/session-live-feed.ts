import { Injectable } from '@nestjs/common';

import type { AuthenticatedCaller } from '@cls/access';
import { Doorbell } from '@cls/database';
import type { DownloadSessionEvent, UpdateSessionEvent } from '@cls/domain';
import { downloadSessionDecider, updateSessionDecider } from '@cls/domain';
import type { RecordedEvent } from '@cls/event-store';
import { PostgresEventStore, streamIdOf } from '@cls/event-store';
import type { SessionStreamType } from '@cls/sessions';
import { DownloadSessionQueries, UpdateSessionFileQueries } from '@cls/sessions';

import { StreamNotifications } from './stream-notifications';
import type { FileProgress, ProgressSample } from './transfer-progress';
import { TransferProgress } from './transfer-progress';

/** How often bytes are sampled while nothing else happens. */
const PROGRESS_INTERVAL_MS = 1_000;
/** Progress is sent when it changes, and at least this often so a quiet stream shows it lives. */
const PROGRESS_HEARTBEAT_MS = 15_000;

export type LiveMessage =
  | {
      readonly kind: 'change';
      /** The stream version: what a client sends back as `Last-Event-ID` to resume. */
      readonly id: number;
      /** The session's state after the event. */
      readonly state: string;
      readonly event: RecordedEvent;
    }
  | { readonly kind: 'progress'; readonly at: Date; readonly files: readonly FileProgress[] };

/** Folds a session's events into its status, one event at a time. */
function statusFolder(kind: SessionStreamType): (event: RecordedEvent) => string {
  const asEvent = <E>(event: RecordedEvent) => ({ type: event.type, data: event.data }) as E;
  if (kind === 'update_session') {
    let state = updateSessionDecider.initialState();
    return (event) => {
      state = updateSessionDecider.evolve(state, asEvent<UpdateSessionEvent>(event));
      return state.status;
    };
  }
  let state = downloadSessionDecider.initialState();
  return (event) => {
    state = downloadSessionDecider.evolve(state, asEvent<DownloadSessionEvent>(event));
    return state.status;
  };
}

/**
 * Live progress of one session: its state changes as they commit (woken by the
 * store's notifications, read from the stream, so a resumed client misses none) and its bytes,
 * sampled every second while it is ACTIVE. Messages are produced only as fast as the consumer
 * takes them: a client that stops reading holds back the reads, and nothing piles up.
 */
@Injectable()
export class SessionLiveFeed {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly notifications: StreamNotifications,
    private readonly updateFiles: UpdateSessionFileQueries,
    private readonly downloads: DownloadSessionQueries,
  ) {}

  /**
   * Checks the caller may see the session (its owner or an administrator), then returns its
   * messages from after stream version `afterVersion` until it leaves ACTIVE or `signal` aborts.
   */
  async open(
    caller: AuthenticatedCaller,
    kind: SessionStreamType,
    sessionId: string,
    afterVersion: number,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<LiveMessage>> {
    await this.samples(caller, kind, sessionId);
    return this.messages(caller, kind, sessionId, afterVersion, signal);
  }

  private async *messages(
    caller: AuthenticatedCaller,
    kind: SessionStreamType,
    sessionId: string,
    afterVersion: number,
    signal: AbortSignal,
  ): AsyncGenerator<LiveMessage> {
    const streamId = streamIdOf(kind, sessionId);
    const doorbell = new Doorbell();
    const unsubscribe = await this.notifications.subscribe(streamId, () => doorbell.ring());
    const ticker = setInterval(() => doorbell.ring(), PROGRESS_INTERVAL_MS);
    try {
      const statusAfter = statusFolder(kind);
      const progress = new TransferProgress();
      let version = 0;
      let state = 'EMPTY';
      let sent = { key: '', at: 0 };
      for (;;) {
        for (const event of (await this.store.readStream(streamId, version)).events) {
          state = statusAfter(event);
          version = event.streamVersion;
          if (version > afterVersion) yield { kind: 'change', id: version, state, event };
        }
        if (state !== 'ACTIVE') return;
        const now = Date.now();
        const files = progress.observe(await this.samples(caller, kind, sessionId), now);
        const key = JSON.stringify(
          files.map((file) => [file.name, file.status, file.bytesTransferred, file.stalled]),
        );
        if (key !== sent.key || now - sent.at >= PROGRESS_HEARTBEAT_MS) {
          sent = { key, at: now };
          yield { kind: 'progress', at: new Date(now), files };
        }
        await doorbell.wait(signal);
      }
    } finally {
      unsubscribe();
      clearInterval(ticker);
    }
  }

  private async samples(
    caller: AuthenticatedCaller,
    kind: SessionStreamType,
    sessionId: string,
  ): Promise<ProgressSample[]> {
    if (kind === 'update_session') {
      return (await this.updateFiles.list(caller, sessionId)).map((file) => ({
        name: file.name,
        status: file.status,
        bytesTransferred: file.bytesTransferred,
        transferring: file.status === 'TRANSFERRING',
        ...(file.declaredSize === undefined && file.size === undefined
          ? {}
          : { size: file.declaredSize ?? file.size }),
      }));
    }
    const session = await this.downloads.get(caller, sessionId);
    return (await this.downloads.filesOf(session)).map((file) => ({
      name: file.name,
      status: file.status,
      bytesTransferred: file.bytesTransferred,
      size: file.size,
      transferring: file.bytesTransferred > 0 && file.bytesTransferred < file.size,
    }));
  }
}
