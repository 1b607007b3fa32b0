import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import type { Header } from 'tar-stream';
import { pack as tarPack } from 'tar-stream';

import type { OvaEntry, OvaSink } from './ova-unpacker';
import { unpackOva } from './ova-unpacker';
import { OvfError } from './ovf-error';

const MiB = 1024 * 1024;

interface Member {
  readonly name: string;
  readonly body?: string | Buffer;
  readonly type?: Header['type'];
  readonly linkname?: string;
}

async function tarball(members: readonly Member[]): Promise<Buffer> {
  const pack = tarPack();
  for (const { name, body = '', type = 'file', linkname } of members) {
    if (type === 'file') pack.entry({ name }, body);
    else pack.entry({ name, type, ...(linkname === undefined ? {} : { linkname }) });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Hands the archive out in slices, counting how much of it has been read. */
function source(archive: Buffer, sliceBytes = 64 * 1024): { input: Readable; read: () => number } {
  let read = 0;
  function* slices(): Generator<Buffer> {
    for (let at = 0; at < archive.length; at += sliceBytes) {
      const slice = archive.subarray(at, at + sliceBytes);
      read += slice.length;
      yield slice;
    }
  }
  return { input: Readable.from(slices(), { objectMode: false }), read: () => read };
}

interface Received {
  readonly size: number;
  readonly bytes: Buffer;
}

function collectingSink(): { sink: OvaSink; received: Map<string, Received> } {
  const received = new Map<string, Received>();
  const sink: OvaSink = async ({ name, size, stream }) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    received.set(name, { size, bytes: Buffer.concat(chunks) });
  };
  return { sink, received };
}

/** What the promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}

async function refusal(members: readonly Member[], maxEntries?: number): Promise<OvfError> {
  const { sink } = collectingSink();
  const { input } = source(await tarball(members));
  const error = await failure(
    unpackOva(input, sink, maxEntries === undefined ? {} : { maxEntries }),
  );
  expect(error).toBeInstanceOf(OvfError);
  return error as OvfError;
}

const descriptor: Member = { name: 'vm.ovf', body: '<Envelope/>' };

describe('unpackOva', () => {
  describe('a well-formed OVA', () => {
    it('hands each member to the sink in order and lists names and sizes', async () => {
      const disk1 = randomBytes(300_000);
      const disk2 = randomBytes(1234);
      const { sink, received } = collectingSink();
      const { input } = source(
        await tarball([
          descriptor,
          { name: 'vm.mf', body: 'SHA256(vm.ovf)= 00' },
          { name: 'vm-disk1.vmdk', body: disk1 },
          { name: 'vm-disk2.vmdk', body: disk2 },
          { name: 'empty.iso', body: '' },
        ]),
      );

      await expect(unpackOva(input, sink)).resolves.toEqual([
        { name: 'vm.ovf', size: 11 },
        { name: 'vm.mf', size: 18 },
        { name: 'vm-disk1.vmdk', size: 300_000 },
        { name: 'vm-disk2.vmdk', size: 1234 },
        { name: 'empty.iso', size: 0 },
      ]);
      expect([...received.keys()]).toEqual([
        'vm.ovf',
        'vm.mf',
        'vm-disk1.vmdk',
        'vm-disk2.vmdk',
        'empty.iso',
      ]);
      expect(received.get('vm-disk1.vmdk')).toEqual({ size: 300_000, bytes: disk1 });
      expect(received.get('vm-disk2.vmdk')).toEqual({ size: 1234, bytes: disk2 });
      expect(received.get('empty.iso')?.bytes.length).toBe(0);
    });

    it('streams a multi-megabyte member in chunks, never holding it whole', async () => {
      const size = 24 * MiB + 123;
      const disk = randomBytes(size);
      const { input, read } = source(
        await tarball([descriptor, { name: 'big.vmdk', body: disk }, { name: 'after.nvram' }]),
      );
      const seen: {
        chunks: number;
        largest: number;
        readAtFirstChunk?: number;
        digest?: string;
      } = { chunks: 0, largest: 0 };
      let inSink = 0;
      let mostInSink = 0;

      const sink: OvaSink = async ({ name, stream }) => {
        inSink += 1;
        mostInSink = Math.max(mostInSink, inSink);
        const hash = createHash('sha256');
        for await (const chunk of stream) {
          if (name !== 'big.vmdk') continue;
          const bytes = chunk as Buffer;
          seen.readAtFirstChunk ??= read();
          seen.chunks += 1;
          seen.largest = Math.max(seen.largest, bytes.length);
          hash.update(bytes);
        }
        if (name === 'big.vmdk') seen.digest = hash.digest('hex');
        inSink -= 1;
      };

      await unpackOva(input, sink);
      expect(seen.digest).toBe(createHash('sha256').update(disk).digest('hex'));
      expect(seen.chunks).toBeGreaterThan(100);
      expect(seen.largest).toBeLessThanOrEqual(MiB);
      // The first bytes reached the sink while most of the archive was still unread.
      expect(seen.readAtFirstChunk).toBeLessThan(4 * MiB);
      expect(mostInSink).toBe(1);
    });

    it('accepts a leading ./ directory and ./ prefixes, as GNU tar writes them', async () => {
      const { sink, received } = collectingSink();
      const { input } = source(
        await tarball([
          { name: './', type: 'directory' },
          { name: './vm.ovf', body: 'x' },
          { name: './disk.vmdk', body: 'yz' },
        ]),
      );
      await expect(unpackOva(input, sink)).resolves.toEqual([
        { name: 'vm.ovf', size: 1 },
        { name: 'disk.vmdk', size: 2 },
      ]);
      expect([...received.keys()]).toEqual(['vm.ovf', 'disk.vmdk']);
    });

    it('reads long names from pax headers', async () => {
      const long = `${'very-long-disk-name-'.repeat(8)}.vmdk`;
      const { sink, received } = collectingSink();
      const { input } = source(await tarball([descriptor, { name: long, body: 'disk' }]));
      await expect(unpackOva(input, sink)).resolves.toEqual([
        { name: 'vm.ovf', size: 11 },
        { name: long, size: 4 },
      ]);
      expect(received.get(long)?.bytes.toString()).toBe('disk');
    });

    it('reads past members the sink does not consume', async () => {
      const { input } = source(
        await tarball([descriptor, { name: 'a.vmdk', body: randomBytes(200_000) }, { name: 'b' }]),
      );
      const names: string[] = [];
      await expect(
        unpackOva(input, ({ name }: OvaEntry) => {
          names.push(name);
          return Promise.resolve();
        }),
      ).resolves.toHaveLength(3);
      expect(names).toEqual(['vm.ovf', 'a.vmdk', 'b']);
    });

    it('allows exactly maxEntries entries', async () => {
      const members = [descriptor, { name: 'a' }, { name: 'b' }];
      const { sink } = collectingSink();
      const { input } = source(await tarball(members));
      await expect(unpackOva(input, sink, { maxEntries: 3 })).resolves.toHaveLength(3);
    });
  });

  describe('refuses', () => {
    it.each([
      ['../evil', /"\.\.\/evil" contains "\.\."/],
      ['./../evil', /contains "\.\."/],
      ['/abs', /"\/abs" is an absolute path/],
      ['a/b', /"a\/b" contains a path separator/],
      ['./a/b', /contains a path separator/],
      ['a\\b', /contains a path separator/],
      ['C:evil', /absolute or has a URL scheme/],
      ['evil\u0001.vmdk', /control character/],
      ['.', /is "\."/],
    ])('the member name %j', async (name, message) => {
      expect((await refusal([descriptor, { name, body: 'x' }])).message).toMatch(message);
    });

    it('a member whose long pax name hides a path', async () => {
      const name = `${'d'.repeat(120)}/evil.vmdk`;
      expect((await refusal([descriptor, { name, body: 'x' }])).message).toMatch(/path separator/);
    });

    it.each<[Member, RegExp]>([
      [{ name: 'link.vmdk', type: 'symlink', linkname: '/etc/passwd' }, /is a symlink/],
      [{ name: 'hard.vmdk', type: 'link', linkname: 'vm.ovf' }, /is a link/],
      [{ name: 'sub/', type: 'directory' }, /is a directory/],
      [{ name: 'tty', type: 'character-device' }, /is a character-device/],
      [{ name: 'sda', type: 'block-device' }, /is a block-device/],
      [{ name: 'pipe', type: 'fifo' }, /is a fifo/],
    ])('the non-regular entry %j', async (member, message) => {
      const error = await refusal([descriptor, member]);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/only regular files/);
    });

    it('an archive that does not start with the descriptor', async () => {
      const error = await refusal([{ name: 'disk.vmdk', body: 'x' }, descriptor]);
      expect(error.message).toMatch(/starts with "disk.vmdk"; the OVF descriptor must come first/);
      expect(
        (await refusal([{ name: 'vm.mf', body: '' }, descriptor, { name: 'd.vmdk' }])).message,
      ).toMatch(/must come first/);
    });

    it('a second descriptor', async () => {
      expect((await refusal([descriptor, { name: 'other.OVF' }])).message).toMatch(
        /second OVF descriptor "other.OVF"/,
      );
    });

    it('an archive without any member', async () => {
      expect((await refusal([])).message).toMatch(/no OVF descriptor/);
      expect((await refusal([{ name: './', type: 'directory' }])).message).toMatch(
        /no OVF descriptor/,
      );
    });

    it('a duplicated member name', async () => {
      const error = await refusal([
        descriptor,
        { name: 'disk.vmdk', body: 'a' },
        { name: './disk.vmdk', body: 'b' },
      ]);
      expect(error.message).toMatch(/holds "disk.vmdk" twice/);
    });

    it('more entries than maxEntries', async () => {
      const members = [descriptor, { name: 'a' }, { name: 'b' }, { name: 'c' }];
      expect((await refusal(members, 3)).message).toMatch(/more than 3 entries/);
    });

    it('more than 1000 entries by default, before handing the extra one to the sink', async () => {
      const members = [descriptor, ...Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}` }))];
      const { input } = source(await tarball(members));
      let handed = 0;
      const error = await failure(
        unpackOva(input, async ({ stream }) => {
          handed += 1;
          for await (const chunk of stream) void chunk;
        }),
      );
      expect(error).toBeInstanceOf(OvfError);
      expect((error as Error).message).toMatch(/more than 1000 entries/);
      expect(handed).toBe(1000);
    });

    it('bytes that are not a tar archive', async () => {
      const { sink } = collectingSink();
      const { input } = source(randomBytes(4096));
      const error = await failure(unpackOva(input, sink));
      expect(error).toBeInstanceOf(OvfError);
      expect((error as Error).message).toMatch(/not a readable tar archive/);
    });

    it('an archive cut short inside a member', async () => {
      const archive = await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(MiB) }]);
      const { sink } = collectingSink();
      const { input } = source(archive.subarray(0, 512 * 3 + 100_000));
      const error = await failure(unpackOva(input, sink));
      expect(error).toBeInstanceOf(OvfError);
      expect((error as Error).message).toMatch(/not a readable tar archive/);
    });

    it('an archive cut short before its first member ends, when the sink ignores it', async () => {
      const archive = await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(MiB) }]);
      const { input } = source(archive.subarray(0, 512 * 3 + 100_000));
      const error = await failure(unpackOva(input, () => Promise.resolve()));
      expect(error).toBeInstanceOf(OvfError);
      expect((error as Error).message).toMatch(/not a readable tar archive/);
    });
  });

  describe('failures around it', () => {
    it('rethrows the sink error as it is and stops reading', async () => {
      const diskFull = new Error('ENOSPC: no space left on device');
      const { input, read } = source(
        await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(16 * MiB) }]),
      );
      const error = await failure(
        unpackOva(input, async ({ name, stream }) => {
          if (name === 'vm.ovf') return;
          for await (const chunk of stream) {
            void chunk;
            throw diskFull;
          }
        }),
      );
      expect(error).toBe(diskFull);
      expect(input.destroyed).toBe(true);
      expect(read()).toBeLessThan(8 * MiB);
    });

    it('blames a sink that destroys a member stream it has not read', async () => {
      const { input } = source(
        await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(MiB) }]),
      );
      const error = await failure(
        unpackOva(input, ({ name, stream }) => {
          if (name === 'disk.vmdk') stream.destroy();
          return Promise.resolve();
        }),
      );
      expect(error).not.toBeInstanceOf(OvfError);
      expect((error as Error).message).toMatch(/sink destroyed "disk.vmdk" before its end/);
    });

    it('rethrows an error of the input stream as it is', async () => {
      const broken = new Error('connection reset');
      const archive = await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(MiB) }]);
      async function* failing(): AsyncGenerator<Buffer> {
        yield archive.subarray(0, 100_000);
        await Promise.resolve();
        throw broken;
      }
      const { sink } = collectingSink();
      await expect(unpackOva(Readable.from(failing()), sink)).rejects.toBe(broken);
    });

    it('stops with the abort reason when the signal fires mid-member', async () => {
      const controller = new AbortController();
      const { input } = source(
        await tarball([descriptor, { name: 'disk.vmdk', body: randomBytes(8 * MiB) }]),
      );
      const error = await failure(
        unpackOva(
          input,
          async ({ name, stream }) => {
            for await (const chunk of stream) {
              void chunk;
              if (name === 'disk.vmdk') controller.abort();
            }
          },
          { signal: controller.signal },
        ),
      );
      expect(error).toBe(controller.signal.reason);
      expect((error as Error).name).toBe('AbortError');
      expect(input.destroyed).toBe(true);
    });

    it('does not start when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      const { input } = source(await tarball([descriptor]));
      const sink = jest.fn<Promise<void>, [OvaEntry]>();
      await expect(unpackOva(input, sink, { signal: controller.signal })).rejects.toBe(
        controller.signal.reason,
      );
      expect(sink).not.toHaveBeenCalled();
    });
  });
});
