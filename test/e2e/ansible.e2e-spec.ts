import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

const run = promisify(execFile);

/**
 * Whether Ansible with the `vmware.vmware_rest` collection is here (Debian: `ansible`, and
 * `python3-aiohttp`, which the collection needs). It is not an npm dependency, so machines
 * without it skip this spec, saying so.
 */
function ansibleAvailable(): boolean {
  try {
    execFileSync('ansible-doc', ['-t', 'module', 'vmware.vmware_rest.content_locallibrary'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

const available = ansibleAvailable();
if (!available)
  console.warn('ansible.e2e-spec: skipped, no Ansible with the vmware.vmware_rest collection here');

/** One library's life as a playbook writes it; each result is printed as JSON for the test. */
const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  tasks:
    - vmware.vmware_rest.vcenter_datastore_info:
      register: datastores
    # The same task twice: the second run must find the library there and change nothing.
    - vmware.vmware_rest.content_locallibrary:
        name: ansible-lib
        description: made by ansible
        storage_backings:
          - datastore_id: "{{ datastores.value[0].datastore }}"
            type: DATASTORE
        state: present
      loop: [first, again]
      register: present
    - vmware.vmware_rest.content_locallibrary_info:
      register: listed
    - vmware.vmware_rest.content_library_item_info:
        library_id: "{{ present.results[0].id }}"
      register: items
    - vmware.vmware_rest.content_locallibrary:
        library_id: "{{ present.results[0].id }}"
        state: absent
      register: deleted
    - vmware.vmware_rest.content_locallibrary_info:
      register: after
    - ansible.builtin.copy:
        dest: "{{ results_file }}"
        content: "{{ {'datastores': datastores, 'created': present.results[0], 'again': present.results[1], 'listed': listed, 'items': items, 'deleted': deleted, 'after': after} | to_json }}"
`;

(available ? describe : describe.skip)('Ansible vmware.vmware_rest over HTTPS', () => {
  let deployment: Deployment;
  let httpsPort: number;

  beforeAll(async () => {
    httpsPort = await freePort();
    deployment = await startDeployment('e2e_ansible', { HTTPS_PORT: String(httpsPort) });
  });

  afterAll(() => deployment?.stop());

  it('creates, finds, lists and deletes a library, idempotently, against the self-signed certificate', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cls-ansible-'));
    writeFileSync(join(folder, 'play.yml'), PLAYBOOK);
    const results = join(folder, 'results.json');
    await run('ansible-playbook', ['-e', `results_file=${results}`, join(folder, 'play.yml')], {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: folder,
        ANSIBLE_LOCALHOST_WARNING: 'false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
        VMWARE_HOST: `127.0.0.1:${httpsPort}`,
        VMWARE_USER: 'alice',
        VMWARE_PASSWORD: 'alice-password',
        VMWARE_VALIDATE_CERTS: 'no',
      },
      timeout: 120_000,
    });
    const outcome = JSON.parse(readFileSync(results, 'utf8')) as Record<
      string,
      { changed: boolean; id?: string; value: unknown }
    >;

    expect(outcome.datastores!.value).toEqual([
      expect.objectContaining({ datastore: 'datastore-1', type: 'OTHER' }),
    ]);
    expect(outcome.created).toMatchObject({
      changed: true,
      value: {
        name: 'ansible-lib',
        type: 'LOCAL',
        storage_backings: [{ datastore_id: 'datastore-1', type: 'DATASTORE' }],
      },
    });
    expect(outcome.again).toMatchObject({ changed: false, id: outcome.created!.id });
    expect(outcome.listed!.value).toEqual([
      expect.objectContaining({ id: outcome.created!.id, name: 'ansible-lib' }),
    ]);
    expect(outcome.items!.value).toEqual([]);
    expect(outcome.deleted!.changed).toBe(true);
    expect(outcome.after!.value).toEqual([]);
    // What Ansible did is what the service holds.
    const libraries = await deployment.alice.request('GET', '/api/content/local-library');
    expect(libraries.body).toEqual([]);
  }, 180_000);
});
