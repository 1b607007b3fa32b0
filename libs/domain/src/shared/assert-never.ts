/** Makes the compiler list every case a `switch` over a union forgot. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
