import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import type { Extract, Header } from 'tar-stream';
import { extract as tarExtract } from 'tar-stream';

import { ovfRole } from '@cls/domain';

import { OvfError } from './ovf-error';
import { fileNameProblem, quoteName } from './ovf-file-name';

export const DEFAULT_MAX_OVA_ENTRIES = 1000;

export interface OvaMember {
  readonly name: string;
  readonly size: number;
}

export interface OvaEntry extends OvaMember {
  /** The member's bytes, read from the archive as the sink consumes them. */
  readonly stream: Readable;
}

/** Stores one member; resolves once it has consumed `entry.stream`. */
export type OvaSink = (entry: OvaEntry) => Promise<void>;

export interface UnpackOvaOptions {
  /** Archive entries allowed, the `./` directory included. */
  readonly maxEntries?: number;
  readonly signal?: AbortSignal;
}

const REGULAR_FILE_TYPES: ReadonlySet<Header['type']> = new Set(['file', 'contiguous-file']);

/**
 * Streams an OVA (a tar archive, DSP0243 §5.3) member by member into `sink`: a member is fully
 * stored before the next header is read, so memory stays bounded whatever the disk sizes. The
 * archive is refused with `OvfError` at the first entry that could escape the package's folder or
 * breaks the OVA layout (descriptor first, exactly once; flat names, each once; regular files).
 * Errors of `input`, of the sink and the signal's reason are rethrown as they are.
 */
export async function unpackOva(
  input: Readable,
  sink: OvaSink,
  options: UnpackOvaOptions = {},
): Promise<readonly OvaMember[]> {
  const { maxEntries = DEFAULT_MAX_OVA_ENTRIES, signal } = options;
  signal?.throwIfAborted();

  const extract = tarExtract();
  let archiveError: unknown;
  let inputError: unknown;
  let sinkError: unknown;
  extract.on('error', (error) => {
    archiveError ??= error;
  });
  const onAbort = (): void => {
    extract.destroy(new Error('OVA unpacking was aborted'));
    input.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const feeding = feed(input, extract).catch((error: unknown) => {
    inputError ??= error;
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
  });

  const members: OvaMember[] = [];
  const names = new Set<string>();
  let entries = 0;
  try {
    for await (const entry of extract) {
      entries += 1;
      if (entries > maxEntries) {
        throw new OvfError(`OVA holds more than ${maxEntries} entries`);
      }
      const name = memberName(entry.header);
      if (name === undefined) {
        await drain(Readable.from(entry, { objectMode: false }));
        continue;
      }
      checkOrder(name, members);
      if (names.has(name)) throw new OvfError(`OVA holds ${quoteName(name)} twice`);
      names.add(name);

      const stream = Readable.from(entry, { objectMode: false });
      try {
        await sink({ name, size: entry.header.size, stream });
      } catch (error) {
        sinkError = error;
        throw error;
      }
      // A sink may skip a member; the archive still has to be read past it.
      if (!stream.readableEnded) {
        if (stream.destroyed) {
          sinkError = new Error(`The OVA sink destroyed ${quoteName(name)} before its end`);
          throw sinkError;
        }
        await drain(stream);
      }
      members.push({ name, size: entry.header.size });
    }
  } catch (error) {
    input.destroy();
    throw unpackError(error, { signal, inputError, sinkError, archiveError });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  await feeding;
  if (members.length === 0) throw new OvfError('OVA holds no OVF descriptor');
  return members;
}

/** Writes `input` into the extractor, waiting whenever it asks to. */
async function feed(input: Readable, extract: Extract): Promise<void> {
  for await (const chunk of input) {
    if (extract.destroyed) return;
    if (!extract.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          extract.off('drain', done);
          extract.off('close', done);
          resolve();
        };
        extract.on('drain', done);
        extract.on('close', done);
      });
    }
  }
  // streamx types the final chunk as required; it is optional at runtime.
  extract.end(undefined);
}

async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream);
}

/** The member's file name, or undefined for the `./` directory tar tools put first. */
function memberName(header: Header): string | undefined {
  const name = header.name.startsWith('./') ? header.name.slice(2) : header.name;
  if (header.type === 'directory' && (name === '' || name === '.' || name === './')) {
    return undefined;
  }
  if (!REGULAR_FILE_TYPES.has(header.type)) {
    throw new OvfError(
      `OVA entry ${quoteName(header.name)} is a ${header.type}, only regular files are allowed`,
    );
  }
  const problem = fileNameProblem(name);
  if (problem !== undefined) {
    throw new OvfError(`OVA entry name ${quoteName(header.name)} ${problem}`);
  }
  return name;
}

/** DSP0243 §5.3: the descriptor is the first member, and a package has exactly one. */
function checkOrder(name: string, earlier: readonly OvaMember[]): void {
  const isDescriptor = ovfRole(name) === 'descriptor';
  if (earlier.length === 0 && !isDescriptor) {
    throw new OvfError(`OVA starts with ${quoteName(name)}; the OVF descriptor must come first`);
  }
  if (earlier.length > 0 && isDescriptor) {
    throw new OvfError(`OVA holds a second OVF descriptor ${quoteName(name)}`);
  }
}

function unpackError(
  error: unknown,
  causes: {
    readonly signal: AbortSignal | undefined;
    readonly inputError: unknown;
    readonly sinkError: unknown;
    readonly archiveError: unknown;
  },
): unknown {
  if (causes.signal?.aborted) return causes.signal.reason;
  if (error instanceof OvfError) return error;
  if (causes.inputError !== undefined) return causes.inputError;
  // A damaged archive fails the member stream the sink was reading: that is the archive's fault.
  const archiveError = causes.archiveError;
  if (causes.sinkError !== undefined && causes.sinkError !== archiveError) return causes.sinkError;
  if (archiveError instanceof Error || error === archiveError) {
    const message = archiveError instanceof Error ? archiveError.message : String(archiveError);
    return new OvfError(`OVA is not a readable tar archive: ${message}`, { cause: archiveError });
  }
  return error;
}
