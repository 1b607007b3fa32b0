import { Pool } from 'undici';

import { elapsedMs } from './measure';

export interface TimedResponse {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

/**
 * A keep-alive client for request-rate benches: one undici pool with a connection per concurrent
 * caller, so the client never queues behind its own sockets or pays for connection set-up, and
 * every call is timed from send to the last byte of the answer.
 */
export class TimedClient {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    connections: number,
    private readonly token: string,
  ) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1 });
  }

  async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: string | Buffer,
  ): Promise<TimedResponse> {
    const started = process.hrtime.bigint();
    const response = await this.pool.request({
      method,
      path,
      headers: {
        'vmware-api-session-id': this.token,
        ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text, ms: elapsedMs(started) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
