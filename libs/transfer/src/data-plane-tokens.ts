import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';
import { uuidFromHex } from '@cls/domain';

const SECRET_NAME = 'data-plane-url';
const MAC_BYTES = 16;

const ID_HEX = 32;

const hexOf = (id: string): string => id.replaceAll('-', '');

/**
 * Data-plane URLs are capabilities: the ids they grant (a download's file; an upload's session and
 * transfer, so a PUT needs no lookup to find its session) and a MAC over them, in hex, where the
 * MAC is 128 bits of HMAC-SHA256 under a deployment-wide secret. Events carry only the ids; the
 * token itself is never stored, yet every process can check it.
 */
@Injectable()
export class DataPlaneTokens {
  private secret: Promise<Buffer> | undefined;

  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async tokenFor(...ids: readonly string[]): Promise<string> {
    return `${ids.map(hexOf).join('')}${(await this.mac(ids)).toString('hex')}`;
  }

  /** The ids a token grants, or undefined for anything forged, truncated or malformed. */
  async idsOf(token: string): Promise<string[] | undefined> {
    if (!/^[0-9a-f]+$/.test(token) || token.length % ID_HEX !== 0 || token.length < 2 * ID_HEX)
      return undefined;
    const ids: string[] = [];
    for (let at = 0; at < token.length - ID_HEX; at += ID_HEX)
      ids.push(uuidFromHex(token.slice(at, at + ID_HEX)));
    const expected = await this.mac(ids);
    return timingSafeEqual(expected, Buffer.from(token.slice(-ID_HEX), 'hex')) ? ids : undefined;
  }

  private async mac(ids: readonly string[]): Promise<Buffer> {
    // A failed load is not cached: the next request tries again.
    this.secret ??= this.loadSecret().catch((error: unknown) => {
      this.secret = undefined;
      throw error;
    });
    const secret = await this.secret;
    return createHmac('sha256', secret).update(ids.join('/')).digest().subarray(0, MAC_BYTES);
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
