/** A minimal OVF descriptor whose References name these files, in order (DSP0243). */
export function ovfDescriptor(references: readonly string[]): Buffer {
  const files = references
    .map((href, index) => `<File ovf:href="${href}" ovf:id="file${index + 1}"/>`)
    .join('\n    ');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
    ${files}
  </References>
  <VirtualSystem ovf:id="vm"/>
</Envelope>
`);
}
