import type { ManagedObjectRef } from './vim-values';
import { element, moref } from './xml-text';

/** A vim25 fault: its type (as in `detail`), its message, and its properties as XML. */
export class VimFault extends Error {
  private constructor(
    readonly type: string,
    message: string,
    readonly content = '',
    /** `ClientFaultCode` when the request itself is wrong, `ServerFaultCode` otherwise. */
    readonly faultCode: 'ServerFaultCode' | 'ClientFaultCode' = 'ServerFaultCode',
  ) {
    super(message);
    this.name = 'VimFault';
  }

  static invalidLogin(): VimFault {
    return new VimFault(
      'InvalidLogin',
      'Cannot complete login due to an incorrect user name or password.',
    );
  }

  /** A call that needs a login, made without one (or with one that ended). */
  static notAuthenticated(): VimFault {
    return new VimFault(
      'NotAuthenticated',
      'The session is not authenticated.',
      `${moref('object', 'SessionManager', 'SessionManager')}<privilegeId>System.View</privilegeId>`,
    );
  }

  static notSupported(method: string): VimFault {
    return new VimFault('NotSupported', `The operation ${method} is not supported by this server.`);
  }

  /** The service could not answer (its database is down, say); the call may be retried. */
  static systemError(): VimFault {
    return new VimFault(
      'SystemError',
      'The service could not complete the operation; try again.',
      '<reason>internal error</reason>',
    );
  }

  /** A call on an object this server does not hold. */
  static managedObjectNotFound(object: ManagedObjectRef): VimFault {
    return new VimFault(
      'ManagedObjectNotFound',
      `The object '${object.type}:${object.id}' has already been deleted or has not been completely created.`,
      moref('obj', object.type, object.id),
    );
  }

  /** A property the object's type does not have (or that this server does not serve). */
  static invalidProperty(name: string): VimFault {
    return new VimFault(
      'InvalidProperty',
      `The property ${name} is not valid here.`,
      element('name', name),
    );
  }

  /** An argument no call could accept (a continuation token never handed out, say). */
  static invalidArgument(argument: string): VimFault {
    return new VimFault(
      'InvalidArgument',
      `A specified parameter was not correct: ${argument}.`,
      element('invalidProperty', argument),
    );
  }

  static invalidRequest(reason: string): VimFault {
    return new VimFault('InvalidRequest', `Invalid request: ${reason}.`, '', 'ClientFaultCode');
  }
}
