/**
 * Whether Postgres can store `text` as it is: no NUL character and no unpaired UTF-16 surrogate
 * (both are refused by a `text` column, which used to surface as a 500).
 */
export const isStorableText = (text: string): boolean =>
  !text.includes('\u0000') && text.isWellFormed();
