import type { LoginSessionInfo } from '@cls/access';

import { dateTimeToWire } from './time.wire';

export function loginInfoToWire(info: LoginSessionInfo): Record<string, unknown> {
  return {
    user: info.user,
    created_time: dateTimeToWire(info.createdTime),
    last_accessed_time: dateTimeToWire(info.lastAccessedTime),
  };
}
