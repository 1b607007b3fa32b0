import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createEventTypeRegistry } from './event-types';

const registry = createEventTypeRegistry();

describe('the event catalogue (docs/events.md)', () => {
  it('documents every stored event type at its current schema version, and nothing else', () => {
    const catalogue = readFileSync(join(__dirname, '../../../../docs/events.md'), 'utf8');
    const documented = [...catalogue.matchAll(/^### (\w+) \(v(\d+)\)$/gm)].map(
      ([, type, version]) => `${type} v${version}`,
    );
    const registered = registry
      .catalogue()
      .map(({ type, schemaVersion }) => `${type} v${schemaVersion}`);
    expect(documented.sort()).toEqual(registered.sort());
  });
});

describe('upcasters', () => {
  it('UpdateSessionCreated v1 without a snapshot reads as a session that started from no files', () => {
    const v1 = { sessionId: 's', libraryItemId: 'i', owner: 'alice' };
    expect(registry.upcast('UpdateSessionCreated', 1, v1)).toEqual({ ...v1, snapshot: [] });
  });

  it('UpdateSessionCreated v1 that already carries a snapshot keeps it', () => {
    const snapshot = [{ name: 'a.iso', size: 1 }];
    expect(registry.upcast('UpdateSessionCreated', 1, { sessionId: 's', snapshot })).toEqual({
      sessionId: 's',
      snapshot,
    });
  });

  it('UpdateSessionFileReceived v1 without completionRequested may be the last file a completion waits for', () => {
    expect(registry.upcast('UpdateSessionFileReceived', 1, { name: 'a.iso' })).toEqual({
      name: 'a.iso',
      completionRequested: true,
    });
    expect(
      registry.upcast('UpdateSessionFileReceived', 1, {
        name: 'a.iso',
        completionRequested: false,
      }),
    ).toEqual({ name: 'a.iso', completionRequested: false });
  });

  it('current versions pass through unchanged', () => {
    const data = { name: 'a.iso', completionRequested: false };
    expect(registry.upcast('UpdateSessionFileReceived', 2, data)).toBe(data);
  });
});
