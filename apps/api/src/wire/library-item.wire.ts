import { z } from 'zod';

import type {
  CopyLibraryItemInput,
  CreateLibraryItemInput,
  LibraryItemFindSpec,
  LibraryItemView,
} from '@cls/sessions';

import { dateTimeToWire } from './time.wire';

/** `ItemModel` as a create body; output-only fields are known and ignored (§1.2, §3.4). */
export const itemModelInput = z.strictObject({
  id: z.unknown().optional(),
  library_id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  type: z.string().optional(),
  content_version: z.unknown().optional(),
  metadata_version: z.unknown().optional(),
  version: z.unknown().optional(),
  creation_time: z.unknown().optional(),
  last_modified_time: z.unknown().optional(),
  last_sync_time: z.unknown().optional(),
  cached: z.unknown().optional(),
  size: z.unknown().optional(),
  source_id: z.unknown().optional(),
  security_compliance: z.unknown().optional(),
  certificate_verification_info: z.unknown().optional(),
});

export type ItemModelInput = z.output<typeof itemModelInput>;

export function itemInputFrom(
  model: ItemModelInput,
  clientToken: string | undefined,
): CreateLibraryItemInput {
  return {
    libraryId: model.library_id,
    name: model.name,
    ...(model.description === undefined ? {} : { description: model.description }),
    ...(model.type === undefined ? {} : { type: model.type }),
    ...(clientToken === undefined ? {} : { clientToken }),
  };
}

export function itemToWire(item: LibraryItemView): Record<string, unknown> {
  return {
    id: item.id,
    library_id: item.libraryId,
    name: item.name,
    description: item.description,
    ...(item.type === undefined ? {} : { type: item.type }),
    content_version: String(item.contentVersion),
    metadata_version: String(item.metadataVersion),
    version: String(item.version),
    cached: item.cached,
    size: item.size,
    creation_time: dateTimeToWire(item.creationTime),
    last_modified_time: dateTimeToWire(item.lastModifiedTime),
  };
}

/** `ItemModel.FindSpec` (§3.4). */
export const itemFindSpecInput = z.strictObject({
  name: z.string().optional(),
  library_id: z.string().optional(),
  source_id: z.string().optional(),
  type: z.string().optional(),
  cached: z.boolean().optional(),
});

export function itemFindSpecFrom(spec: z.output<typeof itemFindSpecInput>): LibraryItemFindSpec {
  return {
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.library_id === undefined ? {} : { libraryId: spec.library_id }),
    ...(spec.source_id === undefined ? {} : { sourceId: spec.source_id }),
    ...(spec.type === undefined ? {} : { type: spec.type }),
    ...(spec.cached === undefined ? {} : { cached: spec.cached }),
  };
}

/** `copy`'s `destination_create_spec`: an `ItemModel` whose name defaults to the source's. */
export const copySpecInput = itemModelInput.extend({ name: z.string().optional() });

export function copyInputFrom(
  sourceItemId: string,
  spec: z.output<typeof copySpecInput>,
  clientToken: string | undefined,
): CopyLibraryItemInput {
  return {
    sourceItemId,
    libraryId: spec.library_id,
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.type === undefined ? {} : { type: spec.type }),
    ...(clientToken === undefined ? {} : { clientToken }),
  };
}
