import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createEventTypeRegistry } from './event-types';

describe('the event catalogue (docs/events.md)', () => {
  it('documents every stored event type at its current schema version, and nothing else', () => {
    const catalogue = readFileSync(join(__dirname, '../../../../docs/events.md'), 'utf8');
    const documented = [...catalogue.matchAll(/^### (\w+) \(v(\d+)\)$/gm)].map(
      ([, type, version]) => `${type} v${version}`,
    );
    const registered = createEventTypeRegistry()
      .catalogue()
      .map(({ type, schemaVersion }) => `${type} v${schemaVersion}`);
    expect(documented.sort()).toEqual(registered.sort());
  });
});
