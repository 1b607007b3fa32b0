import type { Digests, TransferStatus } from '@cls/domain';
import { ovfRole } from '@cls/domain';

import { parseOvfDescriptor } from './ovf-descriptor';
import type { OvfInvalidFile } from './ovf-manifest';
import { parseOvfManifest, verifyManifest } from './ovf-manifest';

export type OvfFileStatus = TransferStatus;

export interface OvfPackageFile {
  readonly name: string;
  readonly status: OvfFileStatus;
  readonly digests?: Digests;
}

export interface OvfPackageInput {
  /** The received descriptor, once there is one. */
  readonly descriptor?: { readonly name: string; readonly xml: string | Buffer };
  /** The received manifest text, if the package has one. */
  readonly manifest?: string;
  /** The session's file entries. */
  readonly files: readonly OvfPackageFile[];
}

export interface OvfPackageProblems {
  /** Files the descriptor references that have no session entry, in reference order. */
  readonly missingFiles: readonly string[];
  /** At most one entry per name; several reasons are joined. */
  readonly invalidFiles: readonly OvfInvalidFile[];
}

/**
 * The OVF adapter's verdict on a session (contract §8.6): every file the descriptor references is
 * required; one without an entry is missing, one with an entry that is not READY is invalid, and
 * with a manifest every file it lists is required too and every READY one must match it.
 * Transfer problems of files the descriptor does not reference are the generic validation's
 * business, not reported here.
 */
export function inspectOvfPackage(input: OvfPackageInput): OvfPackageProblems {
  const missingFiles: string[] = [];
  const reasons = new Map<string, string[]>();
  const invalid = (name: string, reason: string): void => {
    const known = reasons.get(name);
    if (known === undefined) reasons.set(name, [reason]);
    else if (!known.includes(reason)) known.push(reason);
  };
  const byName = new Map(input.files.map((file) => [file.name, file]));

  if (input.descriptor !== undefined) {
    try {
      for (const { href } of parseOvfDescriptor(input.descriptor.xml).references) {
        const file = byName.get(href);
        if (file === undefined) missingFiles.push(href);
        else if (file.status !== 'READY') invalid(href, notReadyReason(file.status));
      }
    } catch (error) {
      invalid(input.descriptor.name, messageOf(error));
    }
  }

  if (input.manifest !== undefined) {
    try {
      const manifest = parseOvfManifest(input.manifest);
      const ready = input.files
        .filter((file) => file.status === 'READY')
        .map((file) => ({ name: file.name, digests: file.digests ?? {} }));
      for (const { name, reason } of verifyManifest(manifest, ready)) invalid(name, reason);
      // A manifest vouches for the whole package: a file it lists is one the package needs.
      for (const name of manifest.keys())
        if (!byName.has(name) && !missingFiles.includes(name)) missingFiles.push(name);
    } catch (error) {
      invalid(manifestName(input), messageOf(error));
    }
  }

  return {
    missingFiles,
    invalidFiles: [...reasons].map(([name, list]) => ({ name, reason: list.join('; ') })),
  };
}

function notReadyReason(status: Exclude<OvfFileStatus, 'READY'>): string {
  return status === 'WAITING_FOR_TRANSFER' ? 'not received' : status;
}

/** The manifest arrives as text only: name it after its session entry, or after the descriptor. */
function manifestName(input: OvfPackageInput): string {
  const entry = input.files.find((file) => ovfRole(file.name) === 'manifest');
  if (entry !== undefined) return entry.name;
  const descriptor = input.descriptor?.name;
  return descriptor === undefined ? 'manifest.mf' : `${descriptor.replace(/\.ovf$/i, '')}.mf`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
