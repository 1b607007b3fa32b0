import { z } from 'zod';

import type { ChecksumAlgorithm, Digests, StorageBacking, ValidationResult } from '@cls/domain';
import { CHECKSUM_ALGORITHMS, STORED_CHECKSUM } from '@cls/domain';
import { messageToWire } from '@cls/http';
import type {
  AddFileInput,
  ItemFileStorageView,
  ItemFileView,
  SessionFileView,
} from '@cls/sessions';

const transferEndpoint = z.strictObject({
  uri: z.string(),
  ssl_certificate_thumbprint: z.string().optional(),
  ssl_certificate: z.string().optional(),
});

/** `updatesession.File.AddSpec` (§4.3). Ranges and formats are the decider's to judge. */
export const addSpecInput = z.strictObject({
  name: z.string(),
  source_type: z.enum(['NONE', 'PUSH', 'PULL']),
  source_endpoint: transferEndpoint.optional(),
  size: z.number().optional(),
  checksum_info: z
    .strictObject({ algorithm: z.enum(CHECKSUM_ALGORITHMS).default('SHA1'), checksum: z.string() })
    .optional(),
});

export function addFileInputFrom(spec: z.output<typeof addSpecInput>): AddFileInput {
  return {
    name: spec.name,
    sourceType: spec.source_type,
    ...(spec.size === undefined ? {} : { size: spec.size }),
    ...(spec.checksum_info === undefined ? {} : { checksumInfo: spec.checksum_info }),
    ...(spec.source_endpoint === undefined
      ? {}
      : {
          sourceEndpoint: {
            uri: spec.source_endpoint.uri,
            ...(spec.source_endpoint.ssl_certificate_thumbprint === undefined
              ? {}
              : { sslCertificateThumbprint: spec.source_endpoint.ssl_certificate_thumbprint }),
          },
        }),
  };
}

export const fileNameBody = z.strictObject({ file_name: z.string() });

function checksumToWire(
  digests: Digests | undefined,
  algorithm: ChecksumAlgorithm,
): Record<string, string> | undefined {
  const checksum = digests?.[algorithm];
  return checksum === undefined ? undefined : { algorithm, checksum };
}

/** `updatesession.File.Info`: what was declared until the bytes arrive, then what was received. */
export function sessionFileToWire(
  file: SessionFileView,
  uploadUri: string | undefined,
): Record<string, unknown> {
  const algorithm = file.expectedChecksum?.algorithm ?? STORED_CHECKSUM;
  const checksum = file.digests ? checksumToWire(file.digests, algorithm) : file.expectedChecksum;
  return {
    name: file.name,
    source_type: file.sourceType,
    ...(file.size === undefined ? {} : { size: file.size }),
    ...(checksum === undefined ? {} : { checksum_info: checksum }),
    ...(file.sourceEndpoint === undefined
      ? {}
      : {
          source_endpoint: {
            uri: file.sourceEndpoint.uri,
            ...(file.sourceEndpoint.sslCertificateThumbprint === undefined
              ? {}
              : { ssl_certificate_thumbprint: file.sourceEndpoint.sslCertificateThumbprint }),
          },
        }),
    ...(uploadUri === undefined ? {} : { upload_endpoint: { uri: uploadUri } }),
    bytes_transferred: file.bytesTransferred,
    status: file.status,
    ...(file.errorMessage === undefined ? {} : { error_message: messageToWire(file.errorMessage) }),
    keep_in_storage: file.keepInStorage,
  };
}

export function validationToWire(result: ValidationResult): Record<string, unknown> {
  return {
    has_errors: result.hasErrors,
    missing_files: [...result.missingFiles],
    invalid_files: result.invalidFiles.map((file) => ({
      name: file.name,
      error_message: messageToWire(file.errorMessage),
    })),
  };
}

/** `item.File.Info` (§3.5): every stored file is on disk, with the SHA-1 computed on receipt. */
export function itemFileToWire(file: ItemFileView): Record<string, unknown> {
  const checksum = checksumToWire(file.digests, STORED_CHECKSUM);
  return {
    name: file.name,
    size: file.size,
    cached: true,
    version: String(file.version),
    ...(checksum === undefined ? {} : { checksum_info: checksum }),
  };
}

export function storageBackingToWire(backing: StorageBacking): Record<string, string> {
  return backing.type === 'DATASTORE'
    ? { type: 'DATASTORE', datastore_id: backing.datastoreId }
    : { type: 'OTHER', storage_uri: backing.storageUri };
}

export function itemStorageToWire(file: ItemFileStorageView): Record<string, unknown> {
  return {
    ...itemFileToWire(file),
    storage_backing: storageBackingToWire(file.storageBacking),
    storage_uris: [file.storageUri],
  };
}
