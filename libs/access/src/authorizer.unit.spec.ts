import type { DomainError } from '@cls/domain';

import type { AuthenticatedCaller } from './authenticated-caller';
import type { ProtectedObject } from './authorizer';
import { holds, requireAdmin, requirePrivilege } from './authorizer';
import type { Grant } from './privileges';
import { PRIVILEGES } from './privileges';

const LIBRARY = '7e2c9b14-0d3a-4f5e-8a6b-1c2d3e4f5a6b';
const OTHER_LIBRARY = '11111111-0d3a-4f5e-8a6b-1c2d3e4f5a6b';
const ITEM = '4a1d7c3e-2b6f-4e8a-9c0d-5f1e2a3b4c5d';
const OTHER_ITEM = '22222222-2b6f-4e8a-9c0d-5f1e2a3b4c5d';

const root: ProtectedObject = { kind: 'global' };
const library: ProtectedObject = { kind: 'library', id: LIBRARY };
const otherLibrary: ProtectedObject = { kind: 'library', id: OTHER_LIBRARY };
const item: ProtectedObject = { kind: 'library_item', id: ITEM, libraryId: LIBRARY };
const siblingItem: ProtectedObject = { kind: 'library_item', id: OTHER_ITEM, libraryId: LIBRARY };
const foreignItem: ProtectedObject = {
  kind: 'library_item',
  id: OTHER_ITEM,
  libraryId: OTHER_LIBRARY,
};

const caller = (grants: Grant[], isAdmin = false): AuthenticatedCaller => ({
  user: 'alice',
  isAdmin,
  grants,
});

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the check passed');
}

describe('holds', () => {
  it('an administrator holds every privilege on every object, without grants', () => {
    const admin = caller([], true);
    for (const privilege of PRIVILEGES) {
      for (const target of [root, library, item])
        expect(holds(admin, privilege, target)).toBe(true);
    }
  });

  it('a caller without grants holds nothing', () => {
    for (const target of [root, library, item])
      expect(holds(caller([]), 'System.Read', target)).toBe(false);
  });

  it('a global grant holds on any object', () => {
    const alice = caller([{ privilege: 'ContentLibrary.UpdateSession' }]);
    for (const target of [root, library, otherLibrary, item, foreignItem]) {
      expect(holds(alice, 'ContentLibrary.UpdateSession', target)).toBe(true);
    }
  });

  it('a grant holds only for its own privilege', () => {
    const alice = caller([
      { privilege: 'ContentLibrary.UpdateSession' },
      { privilege: 'System.Read', objectId: LIBRARY },
    ]);
    expect(holds(alice, 'ContentLibrary.DownloadSession', item)).toBe(false);
    expect(holds(alice, 'ContentLibrary.DeleteLibraryItem', library)).toBe(false);
  });

  it('a library grant holds on the library and on its items, nowhere else', () => {
    const alice = caller([{ privilege: 'ContentLibrary.AddLibraryItem', objectId: LIBRARY }]);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', library)).toBe(true);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', item)).toBe(true);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', siblingItem)).toBe(true);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', otherLibrary)).toBe(false);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', foreignItem)).toBe(false);
    expect(holds(alice, 'ContentLibrary.AddLibraryItem', root)).toBe(false);
  });

  it('an item grant holds on that item only', () => {
    const alice = caller([{ privilege: 'ContentLibrary.UpdateSession', objectId: ITEM }]);
    expect(holds(alice, 'ContentLibrary.UpdateSession', item)).toBe(true);
    expect(holds(alice, 'ContentLibrary.UpdateSession', siblingItem)).toBe(false);
    expect(holds(alice, 'ContentLibrary.UpdateSession', library)).toBe(false);
    expect(holds(alice, 'ContentLibrary.UpdateSession', root)).toBe(false);
  });
});

describe('requirePrivilege', () => {
  it('passes when the privilege is held', () => {
    expect(() =>
      requirePrivilege(caller([{ privilege: 'System.Read' }]), 'System.Read', item),
    ).not.toThrow();
  });

  it.each([
    [root, 'the root folder'],
    [library, `library ${LIBRARY}`],
    [item, `library item ${ITEM}`],
  ])('refuses with unauthorized naming the privilege and %p', (target, object) => {
    const error = refusal(() =>
      requirePrivilege(
        caller([{ privilege: 'System.Read', objectId: OTHER_LIBRARY }]),
        'ContentLibrary.DeleteLocalLibrary',
        target,
      ),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.messages[0]?.id).toBe('com.vmware.vapi.endpoint.method.authorization.failed');
    expect(error.messages[0]?.defaultMessage).toContain('ContentLibrary.DeleteLocalLibrary');
    expect(error.messages[0]?.defaultMessage).toContain(object);
    expect(error.messages[0]?.args).toEqual(['alice', 'ContentLibrary.DeleteLocalLibrary', object]);
  });
});

describe('requireAdmin', () => {
  it('passes for an administrator', () => {
    expect(() => requireAdmin(caller([], true))).not.toThrow();
  });

  it('refuses anyone else with unauthorized, even with every global grant', () => {
    const error = refusal(() =>
      requireAdmin(caller(PRIVILEGES.map((privilege) => ({ privilege })))),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.messages[0]?.args).toEqual(['alice']);
  });
});
