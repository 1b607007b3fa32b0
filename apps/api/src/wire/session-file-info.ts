import type { SessionFileView, UploadService } from '@cls/sessions';

import { sessionFileToWire } from './content-file.wire';

/** A session file as both styles return it, with its upload URL built for this client. */
export async function sessionFileInfo(
  uploads: UploadService,
  baseUrl: string,
  file: SessionFileView,
): Promise<Record<string, unknown>> {
  return sessionFileToWire(file, await uploads.uploadUri(baseUrl, file));
}
