import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';

const SECRET_NAME = 'data-plane-url';
const MAC_BYTES = 16;

/**
 * Data-plane URLs are capabilities: `<transfer id><MAC>` in hex, where the MAC is 128 bits of
 * HMAC-SHA256 under a deployment-wide secret. Events carry only the transfer id; the token itself
 * is never stored, yet every process can check it.
 */
@Injectable()
export class DataPlaneTokens {
  private secret: Promise<Buffer> | undefined;

  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async tokenFor(transferId: string): Promise<string> {
    return `${transferId.replaceAll('-', '')}${(await this.mac(transferId)).toString('hex')}`;
  }

  /** The transfer a token grants, or undefined for anything forged, truncated or malformed. */
  async transferOf(token: string): Promise<string | undefined> {
    const match = /^([0-9a-f]{32})([0-9a-f]{32})$/.exec(token);
    if (!match?.[1] || !match[2]) return undefined;
    const hex = match[1];
    const transferId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const expected = await this.mac(transferId);
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex')) ? transferId : undefined;
  }

  private async mac(transferId: string): Promise<Buffer> {
    // A failed load is not cached: the next request tries again.
    this.secret ??= this.loadSecret().catch((error: unknown) => {
      this.secret = undefined;
      throw error;
    });
    const secret = await this.secret;
    return createHmac('sha256', secret).update(transferId).digest().subarray(0, MAC_BYTES);
  }

  private async loadSecret(): Promise<Buffer> {
    await this.db.query(
      'INSERT INTO service_secret (name, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [SECRET_NAME, randomBytes(32)],
    );
    const [row] = await this.db.query<{ secret: Buffer }[]>(
      'SELECT secret FROM service_secret WHERE name = $1',
      [SECRET_NAME],
    );
    if (!row) throw new Error('data-plane secret missing');
    return row.secret;
  }
}
