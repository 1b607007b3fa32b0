import type { ManagedObjectRef, VimValue } from './vim-values';
import { vim } from './vim-values';

/** A datastore as the inventory shows it; its id is also its name (`datastore-1`). */
export interface SoapDatastore {
  readonly id: string;
  /** Bytes of the file system that holds it. */
  readonly capacity: number;
  readonly freeSpace: number;
}

/** One object of the inventory: its reference and the properties it answers. */
export interface ManagedObject {
  readonly ref: ManagedObjectRef;
  readonly properties: ReadonlyMap<string, VimValue>;
}

/**
 * The vim25 types this inventory holds: each one's supertype and the properties it declares
 * (those it can answer; an object leaves out the ones it has no value for, as the root folder
 * has no parent).
 */
const TYPES: Readonly<
  Record<string, { readonly supertype?: string; readonly properties: readonly string[] }>
> = {
  ManagedEntity: { properties: ['name', 'parent'] },
  Folder: { supertype: 'ManagedEntity', properties: ['childType', 'childEntity'] },
  Datacenter: {
    supertype: 'ManagedEntity',
    properties: [
      'vmFolder',
      'hostFolder',
      'datastoreFolder',
      'networkFolder',
      'datastore',
      'network',
    ],
  },
  Datastore: { supertype: 'ManagedEntity', properties: ['summary', 'info', 'browser'] },
  SessionManager: { properties: ['currentSession'] },
};

/** `type` and its supertypes, nearest first. */
function* lineage(type: string): Generator<string> {
  for (let current: string | undefined = type; current; current = TYPES[current]?.supertype)
    yield current;
}

/** Whether an object of `type` is a `wanted` (a `ManagedEntity` spec matches a Folder). */
export const isA = (type: string, wanted: string): boolean => [...lineage(type)].includes(wanted);

/** Whether objects of `type` have a property `name` (set or not). */
export const declares = (type: string, name: string): boolean =>
  [...lineage(type)].some((current) => TYPES[current]?.properties.includes(name));

/** The name vCenter gives a fresh install's datacenter. */
const DATACENTER_NAME = 'Datacenter';

/** Ids as a fresh vCenter numbers them. */
export const ROOT_FOLDER: ManagedObjectRef = { type: 'Folder', id: 'group-d1' };
const DATACENTER: ManagedObjectRef = { type: 'Datacenter', id: 'datacenter-2' };
const VM_FOLDER: ManagedObjectRef = { type: 'Folder', id: 'group-v3' };
const HOST_FOLDER: ManagedObjectRef = { type: 'Folder', id: 'group-h4' };
const DATASTORE_FOLDER: ManagedObjectRef = { type: 'Folder', id: 'group-s5' };
const NETWORK_FOLDER: ManagedObjectRef = { type: 'Folder', id: 'group-n6' };
export const SESSION_MANAGER: ManagedObjectRef = { type: 'SessionManager', id: 'SessionManager' };

function managedObject(ref: ManagedObjectRef, properties: Record<string, VimValue>): ManagedObject {
  return { ref, properties: new Map(Object.entries(properties)) };
}

function folder(
  ref: ManagedObjectRef,
  name: string,
  parent: ManagedObjectRef | undefined,
  childType: readonly string[],
  children: readonly ManagedObjectRef[],
): ManagedObject {
  return managedObject(ref, {
    name: vim.string(name),
    ...(parent ? { parent: vim.ref(parent) } : {}),
    childType: vim.strings(childType),
    childEntity: vim.refs(children),
  });
}

/** The datastore URL the pull sources read (`ds:///vmfs/volumes/<id>/`). */
const datastoreUrl = (datastore: SoapDatastore): string => `ds:///vmfs/volumes/${datastore.id}/`;

function datastoreObject(datastore: SoapDatastore): ManagedObject {
  const ref = { type: 'Datastore', id: datastore.id };
  const url = vim.string(datastoreUrl(datastore));
  const capacity = vim.long(datastore.capacity);
  const freeSpace = vim.long(datastore.freeSpace);
  return managedObject(ref, {
    name: vim.string(datastore.id),
    parent: vim.ref(DATASTORE_FOLDER),
    summary: vim.data('DatastoreSummary', [
      ['datastore', vim.ref(ref)],
      ['name', vim.string(datastore.id)],
      ['url', url],
      ['capacity', capacity],
      ['freeSpace', freeSpace],
      ['accessible', vim.boolean(true)],
      ['multipleHostAccess', vim.boolean(false)],
      ['type', vim.string('OTHER')],
      ['maintenanceMode', vim.string('normal')],
    ]),
    info: vim.data('DatastoreInfo', [
      ['name', vim.string(datastore.id)],
      ['url', url],
      ['freeSpace', freeSpace],
      ['maxFileSize', capacity],
    ]),
    // Named so that a file search reaches a clear NotSupported rather than a missing property.
    browser: vim.ref({ type: 'HostDatastoreBrowser', id: `datastoreBrowser-${datastore.id}` }),
  });
}

/**
 * The read-only inventory a login sees: one datacenter whose datastore folder holds the
 * datastores, its other folders empty, and the session manager (whose `currentSession` is the
 * login's own session).
 */
export function inventoryOf(
  datastores: readonly SoapDatastore[],
  currentSession: VimValue,
): ReadonlyMap<string, ManagedObject> {
  const stores = datastores.map(datastoreObject);
  const objects = [
    folder(ROOT_FOLDER, 'Datacenters', undefined, ['Folder', 'Datacenter'], [DATACENTER]),
    managedObject(DATACENTER, {
      name: vim.string(DATACENTER_NAME),
      parent: vim.ref(ROOT_FOLDER),
      vmFolder: vim.ref(VM_FOLDER),
      hostFolder: vim.ref(HOST_FOLDER),
      datastoreFolder: vim.ref(DATASTORE_FOLDER),
      networkFolder: vim.ref(NETWORK_FOLDER),
      datastore: vim.refs(stores.map((store) => store.ref)),
      network: vim.refs([]),
    }),
    folder(VM_FOLDER, 'vm', DATACENTER, ['Folder', 'VirtualMachine', 'VirtualApp'], []),
    folder(HOST_FOLDER, 'host', DATACENTER, ['Folder', 'ComputeResource'], []),
    folder(
      DATASTORE_FOLDER,
      'datastore',
      DATACENTER,
      ['Folder', 'Datastore', 'StoragePod'],
      stores.map((store) => store.ref),
    ),
    folder(NETWORK_FOLDER, 'network', DATACENTER, ['Folder', 'Network'], []),
    ...stores,
    managedObject(SESSION_MANAGER, { currentSession }),
  ];
  return new Map(objects.map((object) => [refKey(object.ref), object]));
}

/** A map key for a reference. */
export const refKey = (ref: ManagedObjectRef): string => `${ref.type}:${ref.id}`;
