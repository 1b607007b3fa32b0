/**
 * A vAPI LocalizableMessage without the wire spelling: a stable catalogue id, the English text
 * with its arguments substituted, and the positional arguments.
 */
export interface Message {
  readonly id: string;
  readonly defaultMessage: string;
  readonly args: readonly string[];
}

export function message(id: string, defaultMessage: string, args: readonly string[] = []): Message {
  return { id, defaultMessage, args };
}
