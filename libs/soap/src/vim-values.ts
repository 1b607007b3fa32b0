import { element, moref, xmlText } from './xml-text';

/** A managed object reference: its type and id (`<obj type="Folder">group-d1</obj>`). */
export interface ManagedObjectRef {
  readonly type: string;
  readonly id: string;
}

/**
 * A property value as vim25 writes it. Data objects keep their fields in the WSDL's order, which
 * strict clients rely on.
 */
export type VimValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'long'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'dateTime'; readonly value: Date }
  | { readonly kind: 'ref'; readonly ref: ManagedObjectRef }
  | { readonly kind: 'refs'; readonly refs: readonly ManagedObjectRef[] }
  | { readonly kind: 'strings'; readonly values: readonly string[] }
  | {
      readonly kind: 'data';
      readonly type: string;
      readonly fields: readonly (readonly [string, VimValue | undefined])[];
    };

export const vim = {
  string: (value: string): VimValue => ({ kind: 'string', value }),
  long: (value: number): VimValue => ({ kind: 'long', value }),
  boolean: (value: boolean): VimValue => ({ kind: 'boolean', value }),
  dateTime: (value: Date): VimValue => ({ kind: 'dateTime', value }),
  ref: (ref: ManagedObjectRef): VimValue => ({ kind: 'ref', ref }),
  refs: (refs: readonly ManagedObjectRef[]): VimValue => ({ kind: 'refs', refs }),
  strings: (values: readonly string[]): VimValue => ({ kind: 'strings', values }),
  data: (type: string, fields: readonly (readonly [string, VimValue | undefined])[]): VimValue => ({
    kind: 'data',
    type,
    fields,
  }),
};

const XSD_TYPE: Readonly<Record<'string' | 'long' | 'boolean' | 'dateTime', string>> = {
  string: 'xsd:string',
  long: 'xsd:long',
  boolean: 'xsd:boolean',
  dateTime: 'xsd:dateTime',
};

function scalarText(value: VimValue & { kind: keyof typeof XSD_TYPE }): string {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'long':
      return String(Math.trunc(value.value));
    case 'boolean':
      return String(value.value);
    case 'dateTime':
      return value.value.toISOString();
  }
}

const refElement = (name: string, ref: ManagedObjectRef): string => moref(name, ref.type, ref.id);

/** The content of an element holding `value` (its fields, items or text). */
function contentOf(value: VimValue): string {
  switch (value.kind) {
    case 'ref':
      return xmlText(value.ref.id);
    case 'refs':
      return value.refs.map((ref) => refElement('ManagedObjectReference', ref)).join('');
    case 'strings':
      return value.values.map((text) => element('string', text)).join('');
    case 'data':
      return value.fields
        .map(([name, field]) => (field === undefined ? '' : fieldXml(name, field)))
        .join('');
    default:
      return xmlText(scalarText(value));
  }
}

/**
 * An element whose declared type the reader knows (a data object's field, a method's
 * `returnval`), so only values of a subtype (none here) would name their type.
 */
export function fieldXml(name: string, value: VimValue): string {
  switch (value.kind) {
    case 'ref':
      return refElement(name, value.ref);
    case 'refs':
      return value.refs.map((ref) => refElement(name, ref)).join('');
    case 'strings':
      return value.values.map((text) => element(name, text)).join('');
    default:
      return `<${name}>${contentOf(value)}</${name}>`;
  }
}

/**
 * A value whose declared type is `anyType` (a property's `val`): it names its type with
 * `xsi:type` so the reader can decode it.
 */
export function anyTypeXml(name: string, value: VimValue): string {
  switch (value.kind) {
    case 'ref':
      return `<${name} type="${xmlText(value.ref.type)}" xsi:type="ManagedObjectReference">${contentOf(value)}</${name}>`;
    case 'refs':
      return `<${name} xsi:type="ArrayOfManagedObjectReference">${contentOf(value)}</${name}>`;
    case 'strings':
      return `<${name} xsi:type="ArrayOfString">${contentOf(value)}</${name}>`;
    case 'data':
      return `<${name} xsi:type="${xmlText(value.type)}">${contentOf(value)}</${name}>`;
    default:
      return `<${name} xsi:type="${XSD_TYPE[value.kind]}">${contentOf(value)}</${name}>`;
  }
}
