import type { ManagedObject } from './inventory';
import { declares, isA, refKey } from './inventory';
import { childrenOf, textOf } from './soap-envelope';
import { VimFault } from './vim-faults';
import type { ManagedObjectRef } from './vim-values';
import { anyTypeXml } from './vim-values';
import { moref, xmlText } from './xml-text';

/** A `TraversalSpec`: from objects of `type`, follow the reference(s) in property `path`. */
interface Traversal {
  readonly type: string;
  readonly path: string;
  readonly skip: boolean;
  readonly selectSet: readonly Selection[];
}

/** A traversal, or a `SelectionSpec` naming one defined elsewhere in the same filter. */
type Selection = Traversal | { readonly reference: string };

interface ObjectSpec {
  readonly obj: ManagedObjectRef;
  readonly skip: boolean;
  readonly selectSet: readonly Selection[];
}

interface PropertySpec {
  readonly type: string;
  readonly all: boolean;
  readonly pathSet: readonly string[];
}

interface FilterSpec {
  readonly propSet: readonly PropertySpec[];
  readonly objectSet: readonly ObjectSpec[];
  readonly named: ReadonlyMap<string, Traversal>;
}

type XmlElement = Readonly<Record<string, unknown>>;

const elementsOf = (value: unknown): XmlElement[] =>
  childrenOf(value).filter(
    (child): child is XmlElement => typeof child === 'object' && child !== null,
  );

const textsOf = (value: unknown): string[] =>
  childrenOf(value)
    .map(textOf)
    .filter((text): text is string => text !== undefined);

const flag = (value: unknown, otherwise: boolean): boolean => {
  const text = textOf(value)?.trim();
  return text === undefined ? otherwise : text === 'true' || text === '1';
};

function required(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '')
    throw VimFault.invalidRequest(`the property filter has no ${what}`);
  return value.trim();
}

function refOf(value: unknown): ManagedObjectRef {
  const element = typeof value === 'object' && value !== null ? (value as XmlElement) : {};
  const type = typeof element['@_type'] === 'string' ? element['@_type'] : undefined;
  return { type: required(type, 'object type'), id: required(textOf(value), 'object id') };
}

/** Reads one `PropertyFilterSpec`, noting the traversals it names for `SelectionSpec`s. */
function filterSpecOf(spec: XmlElement): FilterSpec {
  const named = new Map<string, Traversal>();
  const selectionOf = (element: XmlElement): Selection => {
    const name = textOf(element.name)?.trim();
    if (element.path === undefined)
      return { reference: required(name, 'name in a selection that is not a traversal') };
    const traversal: Traversal = {
      type: required(textOf(element.type), 'traversal type'),
      path: required(textOf(element.path), 'traversal path'),
      skip: flag(element.skip, false),
      selectSet: elementsOf(element.selectSet).map(selectionOf),
    };
    if (name) named.set(name, traversal);
    return traversal;
  };
  const objectSet = elementsOf(spec.objectSet).map((object): ObjectSpec => ({
    obj: refOf(object.obj),
    skip: flag(object.skip, false),
    selectSet: elementsOf(object.selectSet).map(selectionOf),
  }));
  const propSet = elementsOf(spec.propSet).map((property): PropertySpec => ({
    type: required(textOf(property.type), 'property type'),
    all: flag(property.all, false),
    pathSet: textsOf(property.pathSet).map((path) => path.trim()),
  }));
  return { propSet, objectSet, named };
}

/**
 * The objects a filter selects: each object spec's object unless skipped, and every object its
 * traversals reach (a traversal applies to objects of its type, follows a reference property
 * and goes on with its own selections). A traversal is followed once from each object, so cycles end.
 */
function selectedObjects(
  filter: FilterSpec,
  inventory: ReadonlyMap<string, ManagedObject>,
): ManagedObject[] {
  const selected = new Map<string, ManagedObject>();
  /** The objects each traversal has been followed from. */
  const followed = new Map<Traversal, Set<string>>();
  const resolve = (selection: Selection): Traversal => {
    if (!('reference' in selection)) return selection;
    const traversal = filter.named.get(selection.reference);
    if (!traversal)
      throw VimFault.invalidRequest(`no traversal is named ${JSON.stringify(selection.reference)}`);
    return traversal;
  };
  const visit = (object: ManagedObject, skip: boolean, selectSet: readonly Selection[]): void => {
    const key = refKey(object.ref);
    if (!skip) selected.set(key, object);
    for (const traversal of selectSet.map(resolve)) {
      if (!isA(object.ref.type, traversal.type)) continue;
      const from = followed.get(traversal) ?? new Set<string>();
      followed.set(traversal, from);
      if (from.has(key)) continue;
      from.add(key);
      const value = object.properties.get(traversal.path);
      const targets =
        value?.kind === 'ref' ? [value.ref] : value?.kind === 'refs' ? value.refs : [];
      for (const target of targets) {
        const next = inventory.get(refKey(target));
        if (next) visit(next, traversal.skip, traversal.selectSet);
      }
    }
  };
  for (const spec of filter.objectSet) {
    const object = inventory.get(refKey(spec.obj));
    if (!object) throw VimFault.managedObjectNotFound(spec.obj);
    visit(object, spec.skip, spec.selectSet);
  }
  return [...selected.values()];
}

/** `ObjectContent`: the object and the properties the filter asks of its type. */
function objectContent(object: ManagedObject, propSet: readonly PropertySpec[]): string {
  const paths = new Set<string>();
  for (const spec of propSet) {
    if (!isA(object.ref.type, spec.type)) continue;
    const wanted = spec.all ? object.properties.keys() : spec.pathSet;
    for (const path of wanted) {
      if (!declares(object.ref.type, path)) throw VimFault.invalidProperty(path);
      paths.add(path);
    }
  }
  // A property with no value (the root folder's parent) is left out, as vCenter does.
  const properties = [...paths].flatMap((path) => {
    const value = object.properties.get(path);
    return value
      ? [`<propSet><name>${xmlText(path)}</name>${anyTypeXml('val', value)}</propSet>`]
      : [];
  });
  return `${moref('obj', object.ref.type, object.ref.id)}${properties.join('')}`;
}

/**
 * `RetrieveProperties` over a read-only inventory: every filter spec of `specSet` evaluated, one
 * `ObjectContent` XML per selected object of a type some property spec asks for.
 */
export function retrieveProperties(
  specSet: unknown,
  inventory: ReadonlyMap<string, ManagedObject>,
): string[] {
  const filters = elementsOf(specSet).map(filterSpecOf);
  if (filters.length === 0) throw VimFault.invalidRequest('the call has no property filter');
  return filters.flatMap((filter) =>
    selectedObjects(filter, inventory)
      .filter((object) => filter.propSet.some((spec) => isA(object.ref.type, spec.type)))
      .map((object) => objectContent(object, filter.propSet)),
  );
}
