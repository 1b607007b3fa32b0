import type { Message } from '../shared/message';

export type ChecksumAlgorithm = 'SHA1' | 'MD5' | 'SHA256' | 'SHA512';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'SHA1',
  'MD5',
  'SHA256',
  'SHA512',
];

/** Hex length of each digest, to reject malformed checksums up front. */
export const DIGEST_HEX_LENGTH: Record<ChecksumAlgorithm, number> = {
  SHA1: 40,
  MD5: 32,
  SHA256: 64,
  SHA512: 128,
};

/** The digest every received file gets, whatever the client asked for (contract §3.5). */
export const STORED_CHECKSUM: ChecksumAlgorithm = 'SHA1';

/** Also kept for every received file: downloads announce it in `Repr-Digest` (RFC 9530). */
export const REPRESENTATION_CHECKSUM: ChecksumAlgorithm = 'SHA256';

export interface ChecksumInfo {
  readonly algorithm: ChecksumAlgorithm;
  /** Lower-case hex. */
  readonly checksum: string;
}

export type Digests = Readonly<Partial<Record<ChecksumAlgorithm, string>>>;

export type SourceType = 'NONE' | 'PUSH' | 'PULL';
export type TransferStatus =
  'WAITING_FOR_TRANSFER' | 'TRANSFERRING' | 'VALIDATING' | 'READY' | 'ERROR';

export interface TransferEndpoint {
  readonly uri: string;
  readonly sslCertificateThumbprint?: string;
}

/** A file committed to an item: its bytes live at `storageKey` under the library's folder. */
export interface StoredFile {
  readonly name: string;
  readonly size: number;
  readonly digests: Digests;
  readonly version: number;
  readonly storageKey: string;
}

/** One entry of an update session's file list (contract §4.3–4.4). */
export interface SessionFile {
  readonly name: string;
  readonly sourceType: SourceType;
  readonly status: TransferStatus;
  /** Identifies this add: staging area, upload token, stored key. Absent for untouched snapshot files. */
  readonly transferId?: string;
  readonly declaredSize?: number;
  readonly expectedChecksum?: ChecksumInfo;
  readonly sourceEndpoint?: TransferEndpoint;
  /** Where an untouched snapshot file's bytes are stored (under the library's folder). */
  readonly storageKey?: string;
  /** Received (or, for snapshot files, stored) size and digests. */
  readonly size?: number;
  readonly digests?: Digests;
  readonly errorMessage?: Message;
  /** Problems seen while fetching the file that the session's warning_behavior may ignore (§5). */
  readonly warnings?: readonly SourceWarning[];
}

export type WarningType =
  | 'SELF_SIGNED_CERTIFICATE'
  | 'EXPIRED_CERTIFICATE'
  | 'NOT_YET_VALID_CERTIFICATE'
  | 'UNTRUSTED_CERTIFICATE';

export const WARNING_TYPES: readonly WarningType[] = [
  'SELF_SIGNED_CERTIFICATE',
  'EXPIRED_CERTIFICATE',
  'NOT_YET_VALID_CERTIFICATE',
  'UNTRUSTED_CERTIFICATE',
];

/** A certificate problem of a PULL source: the transfer went on, the session must accept it. */
export interface SourceWarning {
  readonly type: WarningType;
  readonly message: Message;
}
