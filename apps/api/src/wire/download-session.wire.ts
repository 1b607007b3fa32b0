import { z } from 'zod';

import { messageToWire, parseBody } from '@cls/http';
import type {
  CreateDownloadSessionInput,
  DownloadEndpoints,
  DownloadFileView,
  DownloadSessionOperation,
  DownloadSessionView,
} from '@cls/sessions';

import { dateTimeToWire } from './time.wire';
import { emptyBody, failBody } from './update-session.wire';

/** `DownloadSessionModel` on create: every field is known, only `library_item_id` is used (§6.1). */
export const downloadSessionCreateSpec = z.strictObject({
  id: z.unknown().optional(),
  library_item_id: z.string(),
  library_item_content_version: z.unknown().optional(),
  error_message: z.unknown().optional(),
  client_progress: z.unknown().optional(),
  state: z.unknown().optional(),
  expiration_time: z.unknown().optional(),
});

export type DownloadSessionCreateSpec = z.output<typeof downloadSessionCreateSpec>;

export function createDownloadSessionInputFrom(
  spec: DownloadSessionCreateSpec,
  clientToken: string | undefined,
): CreateDownloadSessionInput {
  return {
    libraryItemId: spec.library_item_id,
    ...(clientToken === undefined ? {} : { clientToken }),
  };
}

/** The progress parameter is named `progress` here, not `client_progress` (§6.2). */
const keepAliveBody = z.strictObject({ progress: z.number().optional() });

export const DOWNLOAD_SESSION_ACTIONS = ['keep-alive', 'cancel', 'fail'] as const;
export type DownloadSessionAction = (typeof DOWNLOAD_SESSION_ACTIONS)[number];

export function isDownloadSessionAction(
  action: string | undefined,
): action is DownloadSessionAction {
  return (DOWNLOAD_SESSION_ACTIONS as readonly (string | undefined)[]).includes(action);
}

/** The download-session actions read the same body in both styles. */
export function downloadSessionActionOperation(
  action: DownloadSessionAction,
  body: unknown,
): DownloadSessionOperation {
  switch (action) {
    case 'keep-alive': {
      const { progress } = parseBody(keepAliveBody, body);
      return { type: 'KeepDownloadSessionAlive', ...(progress === undefined ? {} : { progress }) };
    }
    case 'cancel':
      parseBody(emptyBody, body);
      return { type: 'CancelDownloadSession' };
    case 'fail':
      return {
        type: 'FailDownloadSession',
        clientErrorMessage: parseBody(failBody, body).client_error_message,
      };
  }
}

export function downloadSessionToWire(session: DownloadSessionView): Record<string, unknown> {
  return {
    id: session.id,
    library_item_id: session.libraryItemId,
    library_item_content_version: String(session.libraryItemContentVersion),
    client_progress: session.clientProgress,
    state: session.state,
    expiration_time: dateTimeToWire(session.expirationTime),
    ...(session.errorMessage === undefined
      ? {}
      : { error_message: messageToWire(session.errorMessage) }),
  };
}

/** `prepare` and `get` name a file; `endpoint_type` defaults to HTTPS (§6.3). */
export const prepareBody = z.strictObject({
  file_name: z.string(),
  endpoint_type: z.enum(['HTTPS', 'DIRECT']).optional(),
});
export const fileNameBody = z.strictObject({ file_name: z.string() });

/** `downloadsession.File.Info` (§6.3): the endpoint and checksum once PREPARED. */
export async function downloadFileToWire(
  endpoints: DownloadEndpoints,
  baseUrl: string,
  session: DownloadSessionView,
  file: DownloadFileView,
): Promise<Record<string, unknown>> {
  const uri = await endpoints.uriOf(baseUrl, session, file);
  const sha1 = file.digests.SHA1;
  return {
    name: file.name,
    size: file.size,
    bytes_transferred: file.bytesTransferred,
    status: file.status,
    ...(uri === undefined ? {} : { download_endpoint: { uri } }),
    ...(uri === undefined || sha1 === undefined
      ? {}
      : { checksum_info: { algorithm: 'SHA1', checksum: sha1 } }),
  };
}
