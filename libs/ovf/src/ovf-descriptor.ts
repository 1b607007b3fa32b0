import type { SaxesAttributeNS, SaxesTagNS } from 'saxes';
import { SaxesParser } from 'saxes';

import { OvfError } from './ovf-error';
import { fileNameProblem, quoteName } from './ovf-file-name';

/** DSP0243 1.x and 2.x envelopes; the prefix bound to them is the author's choice. */
export const OVF_NAMESPACES: ReadonlySet<string> = new Set([
  'http://schemas.dmtf.org/ovf/envelope/1',
  'http://schemas.dmtf.org/ovf/envelope/2',
]);

/** Real descriptors are a few hundred KiB; anything this large is a mistake or an attack. */
export const MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024;

/** One `Envelope/References/File`: a file the package needs besides the descriptor. */
export interface OvfFileReference {
  readonly id: string;
  readonly href: string;
  readonly size?: number;
}

export interface OvfDescriptor {
  /** In document order, each href once. */
  readonly references: readonly OvfFileReference[];
}

type Scope = 'envelope' | 'references' | 'other';

/**
 * Reads the file references of an OVF descriptor. Only what the adapter needs is checked: the
 * rest of the envelope (virtual hardware, sections) is the consumer's business.
 *
 * Any DOCTYPE is refused before its first use: a descriptor has no business declaring entities,
 * and refusing them outright rules out entity expansion ("billion laughs") and external entities.
 */
export function parseOvfDescriptor(xml: string | Buffer): OvfDescriptor {
  const references = new Map<string, OvfFileReference>();
  const scopes: Scope[] = [];
  const parser = new SaxesParser({ xmlns: true });

  parser.on('doctype', () => {
    throw new OvfError('OVF descriptor declares a DOCTYPE, which is not allowed');
  });
  parser.on('error', (error) => {
    throw new OvfError(`OVF descriptor is not well-formed XML: ${error.message}`, {
      cause: error,
    });
  });
  parser.on('opentag', (tag) => {
    const parent = scopes.at(-1);
    if (parent === undefined) {
      if (!isOvfElement(tag, 'Envelope')) {
        throw new OvfError(
          `OVF descriptor's root element is {${tag.uri}}${tag.local}, not an OVF Envelope`,
        );
      }
      scopes.push('envelope');
    } else if (parent === 'envelope' && isOvfElement(tag, 'References')) {
      scopes.push('references');
    } else {
      if (parent === 'references' && isOvfElement(tag, 'File')) {
        const reference = fileReference(tag);
        if (!references.has(reference.href)) references.set(reference.href, reference);
      }
      scopes.push('other');
    }
  });
  parser.on('closetag', () => {
    scopes.pop();
  });

  try {
    parser.write(descriptorText(xml)).close();
  } catch (error) {
    if (error instanceof OvfError) throw error;
    throw new OvfError(`OVF descriptor could not be parsed: ${String(error)}`, { cause: error });
  }
  return { references: [...references.values()] };
}

function descriptorText(xml: string | Buffer): string {
  // A string's UTF-8 size is at least its length, so the cheap test settles most large inputs.
  const bytes =
    typeof xml === 'string'
      ? xml.length > MAX_DESCRIPTOR_BYTES
        ? xml.length
        : Buffer.byteLength(xml, 'utf8')
      : xml.byteLength;
  if (bytes > MAX_DESCRIPTOR_BYTES) {
    throw new OvfError(`OVF descriptor is larger than ${MAX_DESCRIPTOR_BYTES} bytes`);
  }
  if (typeof xml === 'string') return xml;
  try {
    // Drops a UTF-8 byte order mark.
    return new TextDecoder('utf-8', { fatal: true }).decode(xml);
  } catch (error) {
    throw new OvfError('OVF descriptor is not valid UTF-8', { cause: error });
  }
}

function isOvfElement(tag: SaxesTagNS, local: string): boolean {
  return tag.local === local && OVF_NAMESPACES.has(tag.uri);
}

function fileReference(tag: SaxesTagNS): OvfFileReference {
  const href = ovfAttribute(tag, 'href');
  if (href === undefined) throw new OvfError('OVF descriptor has a File element without ovf:href');
  const problem = fileNameProblem(href);
  if (problem !== undefined) {
    throw new OvfError(`OVF descriptor's File href ${quoteName(href)} ${problem}`);
  }
  // ovf:id is required by the schema but nothing here depends on it.
  const id = ovfAttribute(tag, 'id') ?? '';
  const size = ovfAttribute(tag, 'size');
  return size === undefined ? { id, href } : { id, href, size: fileSize(href, size) };
}

function fileSize(href: string, text: string): number {
  const size = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(size)) {
    throw new OvfError(
      `OVF descriptor's File ${quoteName(href)} has ovf:size ${quoteName(text)}, not a byte count`,
    );
  }
  return size;
}

/**
 * `ovf:<local>` under whatever prefix; an unqualified attribute is accepted as a fallback since
 * some generators rely on the default namespace, which XML does not apply to attributes.
 */
function ovfAttribute(tag: SaxesTagNS, local: string): string | undefined {
  let unqualified: SaxesAttributeNS | undefined;
  for (const attribute of Object.values(tag.attributes)) {
    if (attribute.local !== local) continue;
    if (OVF_NAMESPACES.has(attribute.uri)) return attribute.value;
    if (attribute.uri === '' && attribute.prefix === '') unqualified = attribute;
  }
  return unqualified?.value;
}
