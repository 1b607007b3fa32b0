export interface ServerSentEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: unknown;
}

/** A Server-Sent Events reader for tests: every event is kept, and a test waits for the one it wants. */
export class EventStreamClient {
  readonly events: ServerSentEvent[] = [];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  private readonly aborter = new AbortController();
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly status: number,
    body: ReadableStream<Uint8Array> | null,
  ) {
    this.ended = body ? this.read(body) : Promise.resolve();
  }

  static async open(url: string, headers: Record<string, string>): Promise<EventStreamClient> {
    const aborter = new AbortController();
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: aborter.signal,
    });
    const client = new EventStreamClient(response.status, response.body);
    client.aborter.signal.addEventListener('abort', () => aborter.abort());
    return client;
  }

  /** The first event (already received or yet to come) that `accept` takes. */
  async next(
    accept: (event: ServerSentEvent) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<ServerSentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(accept);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`${what} not received; got ${JSON.stringify(this.events.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.aborter.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          this.parse(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
      }
    } catch {
      // closed by the test
    }
  }

  private parse(block: string): void {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
    }
    const data = fields.get('data');
    if (data === undefined) return;
    const id = fields.get('id');
    this.events.push({
      event: fields.get('event') ?? 'message',
      data: JSON.parse(data) as unknown,
      ...(id === undefined ? {} : { id }),
    });
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}
