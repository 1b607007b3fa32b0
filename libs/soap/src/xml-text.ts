const ESCAPED: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text or an attribute value, escaped for XML. */
export const xmlText = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => ESCAPED[character] ?? character);

/** `<name>text</name>`, the text escaped. */
export const element = (name: string, text: string): string =>
  `<${name}>${xmlText(text)}</${name}>`;

/** A managed object reference: `<name type="Type">value</name>`. */
export const moref = (name: string, type: string, value: string): string =>
  `<${name} type="${xmlText(type)}">${xmlText(value)}</${name}>`;
