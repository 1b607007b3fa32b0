import type { Upcaster } from './event-type-registry';
import { EventTypeRegistry } from './event-type-registry';

/** Frozen rows as an older release stored them: never edit these, add new fixtures instead (STYLE §5). */
const STORED_V1 = Object.freeze(JSON.parse('{"sessionId":"x"}') as Record<string, unknown>);
const STORED_V2 = Object.freeze(
  JSON.parse('{"sessionId":"x","clientProgress":0}') as Record<string, unknown>,
);

/** v1 → v2: `clientProgress` defaults to 0. */
const addClientProgress: Upcaster = (data) => ({ ...data, clientProgress: 0 });
/** v2 → v3: `warningBehavior` defaults to []. */
const addWarningBehavior: Upcaster = (data) => ({ ...data, warningBehavior: [] });

const CURRENT_SHAPE = { sessionId: 'x', clientProgress: 0, warningBehavior: [] };

describe('EventTypeRegistry', () => {
  let registry: EventTypeRegistry;

  beforeEach(() => {
    registry = new EventTypeRegistry();
  });

  describe('register / schemaVersionOf', () => {
    it('a type without upcasters is at schema version 1', () => {
      registry.register('UpdateSessionCreated');
      expect(registry.schemaVersionOf('UpdateSessionCreated')).toBe(1);
      expect(registry.has('UpdateSessionCreated')).toBe(true);
    });

    it('each upcaster adds one schema version', () => {
      registry.register('UpdateSessionKeptAlive', [addClientProgress, addWarningBehavior]);
      expect(registry.schemaVersionOf('UpdateSessionKeptAlive')).toBe(3);
    });

    it('returns itself so registrations chain', () => {
      expect(registry.register('A').register('B', [addClientProgress])).toBe(registry);
      expect([registry.schemaVersionOf('A'), registry.schemaVersionOf('B')]).toEqual([1, 2]);
    });

    it('refuses to register a type twice', () => {
      registry.register('UpdateSessionCreated');
      expect(() => registry.register('UpdateSessionCreated', [addClientProgress])).toThrow(
        /registered twice/,
      );
      expect(registry.schemaVersionOf('UpdateSessionCreated')).toBe(1);
    });

    it('refuses to give a version for an unregistered type', () => {
      expect(registry.has('Unknown')).toBe(false);
      expect(() => registry.schemaVersionOf('Unknown')).toThrow(/Unknown is not registered/);
    });
  });

  describe('upcast', () => {
    beforeEach(() => {
      registry.register('UpdateSessionCreated', [addClientProgress, addWarningBehavior]);
    });

    it('refuses to read an unregistered type', () => {
      expect(() => registry.upcast('Unknown', 1, { sessionId: 'x' })).toThrow(
        /Unknown is not registered/,
      );
    });

    it('lifts a frozen v1 row through every upcaster to the current shape', () => {
      expect(registry.upcast('UpdateSessionCreated', 1, STORED_V1)).toEqual(CURRENT_SHAPE);
    });

    it('lifts a frozen v2 row through the remaining upcaster only', () => {
      const once = jest.fn(addClientProgress);
      const local = new EventTypeRegistry().register('UpdateSessionCreated', [
        once,
        addWarningBehavior,
      ]);
      expect(local.upcast('UpdateSessionCreated', 2, STORED_V2)).toEqual(CURRENT_SHAPE);
      expect(once).not.toHaveBeenCalled();
    });

    it('applies the upcasters in version order', () => {
      const calls: string[] = [];
      const local = new EventTypeRegistry().register('E', [
        (data) => (calls.push('v1→v2'), { ...data, v: 2 }),
        (data) => (calls.push('v2→v3'), { ...data, v: 3 }),
      ]);
      expect(local.upcast('E', 1, { v: 1 })).toEqual({ v: 3 });
      expect(calls).toEqual(['v1→v2', 'v2→v3']);
    });

    it('does not modify the stored data', () => {
      registry.upcast('UpdateSessionCreated', 1, STORED_V1);
      expect(STORED_V1).toEqual({ sessionId: 'x' });
    });

    it('returns data already at the current version unchanged', () => {
      const current = {
        sessionId: 'y',
        clientProgress: 40,
        warningBehavior: [{ type: 'EXPIRED_CERTIFICATE', ignored: true }],
      };
      expect(registry.upcast('UpdateSessionCreated', 3, current)).toBe(current);
    });

    it('returns data of a type without upcasters unchanged', () => {
      registry.register('UpdateSessionCompleted');
      const data = { sessionId: 'x' };
      expect(registry.upcast('UpdateSessionCompleted', 1, data)).toBe(data);
    });
  });
});
