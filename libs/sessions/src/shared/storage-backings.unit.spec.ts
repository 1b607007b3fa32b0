import { fileURLToPath } from 'node:url';

import { loadConfig } from '@cls/config';
import type { DomainError } from '@cls/domain';

import type { StorageBackingInput } from './storage-backings';
import { resolveStorageBacking } from './storage-backings';

const config = loadConfig({
  STORAGE_ROOT: '/srv',
  DATASTORES: 'datastore-1=/srv/ds1',
  LIBRARY_STORAGE_ROOTS: '/srv/libs',
});

function refusal(input: StorageBackingInput): DomainError {
  try {
    resolveStorageBacking(config, input);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error(`resolveStorageBacking accepted ${JSON.stringify(input)}`);
}

describe('resolveStorageBacking (contract §2.4)', () => {
  describe('DATASTORE', () => {
    it('accepts a configured datastore', () => {
      expect(
        resolveStorageBacking(config, { type: 'DATASTORE', datastoreId: 'datastore-1' }),
      ).toEqual({
        type: 'DATASTORE',
        datastoreId: 'datastore-1',
      });
    });

    it.each([{ datastoreId: 'datastore-2' }, { datastoreId: 'DATASTORE-1' }, {}])(
      'refuses an unknown datastore %p',
      (input) => {
        const error = refusal({ type: 'DATASTORE', ...input });
        expect(error.code).toBe('INVALID_ARGUMENT');
        expect(error.messages[0]?.args[0]).toBe('storage_backings.datastore_id');
      },
    );

    it('refuses a storage_uri', () => {
      expect(
        refusal({ type: 'DATASTORE', datastoreId: 'datastore-1', storageUri: 'file:///srv/libs/a' })
          .code,
      ).toBe('INVALID_ARGUMENT');
    });
  });

  describe('OTHER', () => {
    it.each([
      ['file:///srv/libs/a', 'file:///srv/libs/a'],
      ['file:///srv/libs', 'file:///srv/libs'],
      ['file:///srv/libs/a/b/', 'file:///srv/libs/a/b'],
      ['file://localhost/srv/libs/a', 'file:///srv/libs/a'],
      ['file:///srv/libs/my%20isos', 'file:///srv/libs/my%20isos'],
    ])('accepts %s under an allowed root as %s', (storageUri, normalized) => {
      expect(resolveStorageBacking(config, { type: 'OTHER', storageUri })).toEqual({
        type: 'OTHER',
        storageUri: normalized,
      });
    });

    it.each([
      'file:///srv/libs/../etc',
      'file:///srv/libs/%2e%2e/etc',
      'file:///etc/passwd',
      'file:///srv/libsX/a',
      'file:///srv/ds1',
      'http://x/',
      'nfs://server/srv/libs/a',
      'file://remotehost/srv/libs/a',
      'garbage',
      '',
      'file:///srv/libs/a%2Fb',
    ])('refuses %p with invalid_argument', (storageUri) => {
      const error = refusal({ type: 'OTHER', storageUri });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('storage_backings.storage_uri');
    });

    it('refuses an OTHER backing without storage_uri', () => {
      expect(refusal({ type: 'OTHER' }).code).toBe('INVALID_ARGUMENT');
    });

    it('refuses a datastore_id', () => {
      const error = refusal({
        type: 'OTHER',
        datastoreId: 'datastore-1',
        storageUri: 'file:///srv/libs/a',
      });
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('storage_backings');
    });

    it('stores a URI that denotes exactly the folder it checked', () => {
      const { storageUri } = resolveStorageBacking(config, {
        type: 'OTHER',
        storageUri: 'file:///srv/libs/a%23b',
      }) as {
        storageUri: string;
      };
      expect(fileURLToPath(storageUri)).toBe('/srv/libs/a#b');
    });
  });
});
