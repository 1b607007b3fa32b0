import { inventoryOf } from './inventory';
import { retrieveProperties } from './property-collector';
import { parseSoapRequest } from './soap-envelope';
import { VimFault } from './vim-faults';
import { vim } from './vim-values';

const inventory = inventoryOf(
  [
    { id: 'datastore-1', capacity: 2 ** 40, freeSpace: 2 ** 39 },
    { id: 'fast-ssd', capacity: 2 ** 30, freeSpace: 0 },
  ],
  vim.data('UserSession', [['userName', vim.string('alice')]]),
);

/** The `specSet` of a `RetrieveProperties` call, as the envelope parser reads it. */
function specSetOf(specSet: string): unknown {
  return parseSoapRequest(
    `<Envelope><Body><RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>${specSet}</RetrieveProperties></Body></Envelope>`,
  ).arguments.specSet;
}

const retrieve = (specSet: string): string[] => retrieveProperties(specSetOf(specSet), inventory);

/** The `type:id` of each object in the answer. */
const objectsOf = (contents: readonly string[]): string[] =>
  contents.map((content) => {
    const [, type, id] = /^<obj type="([^"]+)">([^<]+)<\/obj>/.exec(content) ?? [];
    return `${type}:${id}`;
  });

function faultOf(work: () => unknown): VimFault | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof VimFault) return error;
    throw error;
  }
}

describe('the property collector over the read-only inventory', () => {
  it("lists a folder's children by a one-step traversal, skipping the folder itself (govc's lister)", () => {
    const found = retrieve(`<specSet>
      <propSet><type>Folder</type><pathSet>name</pathSet><pathSet>childType</pathSet></propSet>
      <propSet><type>Datastore</type><pathSet>name</pathSet></propSet>
      <objectSet><obj type="Folder">group-s5</obj><skip>true</skip>
        <selectSet xsi:type="TraversalSpec"><type>Folder</type><path>childEntity</path><skip>false</skip></selectSet>
      </objectSet></specSet>`);
    expect(objectsOf(found)).toEqual(['Datastore:datastore-1', 'Datastore:fast-ssd']);
    expect(found[0]).toContain(
      '<propSet><name>name</name><val xsi:type="xsd:string">datastore-1</val></propSet>',
    );
  });

  it('follows a named traversal again through a SelectionSpec: the ancestors of a datastore, root included, without a parent for the root', () => {
    const found = retrieve(`<specSet>
      <propSet><type>ManagedEntity</type><pathSet>name</pathSet><pathSet>parent</pathSet></propSet>
      <propSet><type>VirtualMachine</type><pathSet>parentVApp</pathSet></propSet>
      <objectSet><obj type="Datastore">fast-ssd</obj><skip>false</skip>
        <selectSet xsi:type="TraversalSpec"><name>traverseParent</name><type>ManagedEntity</type><path>parent</path><skip>false</skip>
          <selectSet xsi:type="SelectionSpec"><name>traverseParent</name></selectSet></selectSet>
      </objectSet></specSet>`);
    expect(objectsOf(found)).toEqual([
      'Datastore:fast-ssd',
      'Folder:group-s5',
      'Datacenter:datacenter-2',
      'Folder:group-d1',
    ]);
    expect(found[1]).toContain(
      '<propSet><name>parent</name><val type="Datacenter" xsi:type="ManagedObjectReference">datacenter-2</val></propSet>',
    );
    expect(found[3]).not.toContain('<name>parent</name>');
  });

  it('answers every property of a type with all, data objects typed, and only objects of a type some property spec asks for', () => {
    const found = retrieve(`<specSet>
      <propSet><type>Datastore</type><all>true</all></propSet>
      <objectSet><obj type="Datacenter">datacenter-2</obj>
        <selectSet xsi:type="TraversalSpec"><type>Datacenter</type><path>datastore</path></selectSet>
      </objectSet></specSet>`);
    expect(objectsOf(found)).toEqual(['Datastore:datastore-1', 'Datastore:fast-ssd']);
    expect(found[0]).toContain(
      `<val xsi:type="DatastoreSummary"><datastore type="Datastore">datastore-1</datastore><name>datastore-1</name><url>ds:///vmfs/volumes/datastore-1/</url><capacity>${2 ** 40}</capacity><freeSpace>${2 ** 39}</freeSpace>`,
    );
    expect(found[0]).toContain('<name>info</name><val xsi:type="DatastoreInfo">');
  });

  it('answers arrays of references and of strings with their array types', () => {
    const [root] = retrieve(`<specSet>
      <propSet><type>Folder</type><pathSet>childEntity</pathSet><pathSet>childType</pathSet></propSet>
      <objectSet><obj type="Folder">group-d1</obj></objectSet></specSet>`);
    expect(root).toContain(
      '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datacenter">datacenter-2</ManagedObjectReference></val>',
    );
    expect(root).toContain(
      '<val xsi:type="ArrayOfString"><string>Folder</string><string>Datacenter</string></val>',
    );
  });

  it("answers the login's own session as the session manager's currentSession", () => {
    const [manager] = retrieve(`<specSet>
      <propSet><type>SessionManager</type><pathSet>currentSession</pathSet></propSet>
      <objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet>`);
    expect(manager).toContain('<val xsi:type="UserSession"><userName>alice</userName></val>');
  });

  it('ends traversals that loop (a folder to its children and back to their parent)', () => {
    const found = retrieve(`<specSet>
      <propSet><type>ManagedEntity</type><pathSet>name</pathSet></propSet>
      <objectSet><obj type="Folder">group-s5</obj>
        <selectSet xsi:type="TraversalSpec"><name>down</name><type>Folder</type><path>childEntity</path>
          <selectSet><name>up</name></selectSet></selectSet>
        <selectSet xsi:type="TraversalSpec"><name>up</name><type>ManagedEntity</type><path>parent</path>
          <selectSet><name>down</name></selectSet></selectSet>
      </objectSet></specSet>`);
    expect(objectsOf(found).sort()).toEqual(
      [
        'Folder:group-s5',
        'Datastore:datastore-1',
        'Datastore:fast-ssd',
        // Up from the folder; the datacenter is no Folder, so "down" stops there.
        'Datacenter:datacenter-2',
      ].sort(),
    );
  });

  it('refuses what it cannot answer with the fault vCenter gives', () => {
    const wrongProperty = faultOf(() =>
      retrieve(`<specSet><propSet><type>Folder</type><pathSet>config</pathSet></propSet>
        <objectSet><obj type="Folder">group-d1</obj></objectSet></specSet>`),
    );
    expect(wrongProperty?.type).toBe('InvalidProperty');
    const missing = faultOf(() =>
      retrieve(`<specSet><propSet><type>Datastore</type><pathSet>name</pathSet></propSet>
        <objectSet><obj type="Datastore">datastore-9</obj></objectSet></specSet>`),
    );
    expect(missing?.type).toBe('ManagedObjectNotFound');
    expect(missing?.content).toBe('<obj type="Datastore">datastore-9</obj>');
    const unnamed = faultOf(() =>
      retrieve(`<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet>
        <objectSet><obj type="Folder">group-d1</obj><selectSet><name>nowhere</name></selectSet></objectSet></specSet>`),
    );
    expect(unnamed?.type).toBe('InvalidRequest');
    expect(faultOf(() => retrieve(''))?.type).toBe('InvalidRequest');
    expect(
      faultOf(() =>
        retrieve(
          `<specSet><propSet><type>Folder</type></propSet><objectSet><obj>group-d1</obj></objectSet></specSet>`,
        ),
      )?.type,
    ).toBe('InvalidRequest');
  });
});
