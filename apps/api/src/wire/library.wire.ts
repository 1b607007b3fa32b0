import { z } from 'zod';

import type { CreateLocalLibraryInput, LibraryFindSpec, LibraryView } from '@cls/sessions';

import { storageBackingToWire } from './content-file.wire';
import { dateTimeToWire } from './time.wire';

const storageBacking = z.strictObject({
  type: z.enum(['DATASTORE', 'OTHER']),
  datastore_id: z.string().optional(),
  storage_uri: z.string().optional(),
});

/** Structures we may store and echo without effect (§3.2). */
const ECHOED = [
  'publish_info',
  'subscription_info',
  'optimization_info',
  'security_policy_id',
  'unset_security_policy_id',
] as const;

/** `LibraryModel` as a create body. Output-only fields are known: accepted and ignored (§1.2). */
export const libraryModelInput = z.strictObject({
  id: z.unknown().optional(),
  name: z.string(),
  description: z.string().optional(),
  type: z.unknown().optional(),
  storage_backings: z.array(storageBacking),
  creation_time: z.unknown().optional(),
  last_modified_time: z.unknown().optional(),
  last_sync_time: z.unknown().optional(),
  version: z.unknown().optional(),
  server_guid: z.string().optional(),
  publish_info: z.record(z.string(), z.unknown()).optional(),
  subscription_info: z.record(z.string(), z.unknown()).optional(),
  optimization_info: z.record(z.string(), z.unknown()).optional(),
  security_policy_id: z.string().optional(),
  unset_security_policy_id: z.boolean().optional(),
});

export type LibraryModelInput = z.output<typeof libraryModelInput>;

export function libraryInputFrom(
  model: LibraryModelInput,
  clientToken: string | undefined,
): CreateLocalLibraryInput {
  const extras = Object.fromEntries(
    ECHOED.flatMap((key) => (model[key] === undefined ? [] : [[key, model[key]]])),
  );
  return {
    name: model.name,
    ...(model.description === undefined ? {} : { description: model.description }),
    storageBackings: model.storage_backings.map((backing) => ({
      type: backing.type,
      ...(backing.datastore_id === undefined ? {} : { datastoreId: backing.datastore_id }),
      ...(backing.storage_uri === undefined ? {} : { storageUri: backing.storage_uri }),
    })),
    ...(model.server_guid === undefined ? {} : { serverGuid: model.server_guid }),
    ...(Object.keys(extras).length === 0 ? {} : { extras }),
    ...(clientToken === undefined ? {} : { clientToken }),
  };
}

export function libraryToWire(library: LibraryView): Record<string, unknown> {
  return {
    id: library.id,
    name: library.name,
    description: library.description,
    type: library.type,
    storage_backings: [storageBackingToWire(library.storageBacking)],
    creation_time: dateTimeToWire(library.creationTime),
    last_modified_time: dateTimeToWire(library.lastModifiedTime),
    version: String(library.version),
    ...(library.serverGuid === undefined ? {} : { server_guid: library.serverGuid }),
    ...library.extras,
  };
}

/** `LibraryModel.FindSpec` (§3.3). */
export const libraryFindSpecInput = z.strictObject({
  name: z.string().optional(),
  type: z.string().optional(),
});

export function libraryFindSpecFrom(spec: z.output<typeof libraryFindSpecInput>): LibraryFindSpec {
  return {
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.type === undefined ? {} : { type: spec.type }),
  };
}
