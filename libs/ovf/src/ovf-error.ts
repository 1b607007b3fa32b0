/**
 * An OVF or OVA package that breaks a rule of DSP0243 or one of our safety limits. The message says
 * which rule, in words a client can act on: callers report it as the reason a file is invalid.
 */
export class OvfError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OvfError';
  }
}
