import { XMLParser } from 'fast-xml-parser';

import { VimFault } from './vim-faults';
import { xmlText } from './xml-text';

/** One vim25 call: the method (the Body's element) and its arguments, leaf elements as text. */
export interface SoapRequest {
  readonly method: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Values stay text: a password of digits is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/** An element with children (text alone parses as a string). */
const isElement = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNode = (key: string): boolean =>
  !key.startsWith('@_') && !key.startsWith('#') && key !== '?xml';

/** Reads a SOAP 1.1 envelope; a body that is not one is an `InvalidRequest` fault. */
export function parseSoapRequest(body: unknown): SoapRequest {
  if (typeof body !== 'string' || body.trim() === '')
    throw VimFault.invalidRequest('the request has no SOAP envelope');
  // Entities declared in a document type could expand without end: none is accepted.
  if (/<!DOCTYPE/i.test(body)) throw VimFault.invalidRequest('a document type is not accepted');
  let document: Record<string, unknown>;
  try {
    document = parser.parse(body, true) as Record<string, unknown>;
  } catch (error) {
    throw VimFault.invalidRequest(
      `the request is not well-formed XML: ${error instanceof Error ? error.message : 'unreadable'}`,
    );
  }
  const envelope = document.Envelope;
  const soapBody = isElement(envelope) ? envelope.Body : undefined;
  const method = isElement(soapBody) ? Object.keys(soapBody).find(isNode) : undefined;
  if (!isElement(soapBody) || !method)
    throw VimFault.invalidRequest('the envelope names no method');
  const call = soapBody[method];
  return {
    method,
    arguments: typeof call === 'object' && call !== null ? (call as Record<string, unknown>) : {},
  };
}

/** An element's text (an element with attributes keeps it under `#text`), or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isElement(value)) return undefined;
  const text = value['#text'];
  return typeof text === 'string' ? text : '';
}

/** Children of an element as a list (one child parses as an object, several as an array). */
export const childrenOf = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A leaf argument's text, or undefined. */
export const textArgument = (request: SoapRequest, name: string): string | undefined =>
  textOf(request.arguments[name]);

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/** `<MethodResponse xmlns="urn:vim25">…</MethodResponse>` in an envelope. */
export function soapResponse(method: string, content: string): string {
  return `${ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">${content}</${method}Response>${ENVELOPE_CLOSE}`;
}

/** A vim25 fault as SOAP clients read it: `faultstring` and the typed fault in `detail`. */
export function soapFault(fault: VimFault): string {
  return `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>${fault.faultCode}</faultcode><faultstring>${xmlText(fault.message)}</faultstring><detail><${fault.type}Fault xmlns="urn:vim25" xsi:type="${fault.type}">${fault.content}</${fault.type}Fault></detail></soapenv:Fault>${ENVELOPE_CLOSE}`;
}
