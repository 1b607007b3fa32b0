/** Turns the stored data of one schema version into the next one. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

interface Registration {
  readonly schemaVersion: number;
  /** `upcasters[v - 1]` lifts data from version v to v + 1. */
  readonly upcasters: readonly Upcaster[];
}

/**
 * Every stored event type with its current schema version. Stored names are forever (STYLE §3):
 * a changed shape gets a new schema version and an upcaster that old rows pass through on read.
 */
export class EventTypeRegistry {
  private readonly types = new Map<string, Registration>();

  register(type: string, upcasters: readonly Upcaster[] = []): this {
    if (this.types.has(type)) throw new Error(`Event type ${type} is registered twice`);
    this.types.set(type, { schemaVersion: upcasters.length + 1, upcasters });
    return this;
  }

  schemaVersionOf(type: string): number {
    const registration = this.types.get(type);
    if (!registration)
      throw new Error(`Event type ${type} is not registered; refusing to store it`);
    return registration.schemaVersion;
  }

  upcast(
    type: string,
    storedVersion: number,
    data: Record<string, unknown>,
  ): Record<string, unknown> {
    const registration = this.types.get(type);
    if (!registration) throw new Error(`Event type ${type} is not registered; cannot read it`);
    let current = data;
    for (let version = storedVersion; version < registration.schemaVersion; version += 1) {
      const upcaster = registration.upcasters[version - 1];
      if (!upcaster) throw new Error(`No upcaster for ${type} from schema version ${version}`);
      current = upcaster(current);
    }
    return current;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** Every registered type with its current schema version, in registration order. */
  catalogue(): { readonly type: string; readonly schemaVersion: number }[] {
    return [...this.types].map(([type, { schemaVersion }]) => ({ type, schemaVersion }));
  }
}
