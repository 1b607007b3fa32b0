import { createHash } from 'node:crypto';

import { isOvfMetadataFile, ovfRole } from '@cls/domain';

import type { OvfPackageFile } from './ovf-package';
import { inspectOvfPackage } from './ovf-package';

const OVF1 = 'http://schemas.dmtf.org/ovf/envelope/1';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="${OVF1}" xmlns:ovf="${OVF1}">
  <References>
    <File ovf:href="vm-disk1.vmdk" ovf:id="file1" ovf:size="5"/>
    <File ovf:href="vm-disk2.vmdk" ovf:id="file2" ovf:size="5"/>
    <File ovf:href="vm-file1.nvram" ovf:id="file3" ovf:size="5"/>
  </References>
  <VirtualSystem ovf:id="vm"><Info>A virtual machine</Info></VirtualSystem>
</Envelope>`;

const descriptor = { name: 'vm.ovf', xml };

const manifest = [
  `SHA256(vm.ovf)= ${sha256(xml)}`,
  `SHA256(vm-disk1.vmdk)= ${sha256('disk1')}`,
  `SHA256(vm-disk2.vmdk)= ${sha256('disk2')}`,
  `SHA256(vm-file1.nvram)= ${sha256('nvram')}`,
].join('\r\n');

function ready(name: string, content: string): OvfPackageFile {
  return { name, status: 'READY', digests: { SHA1: 'unused', SHA256: sha256(content) } };
}

const allFiles: readonly OvfPackageFile[] = [
  { name: 'vm.mf', status: 'READY' },
  ready('vm.ovf', xml),
  ready('vm-disk1.vmdk', 'disk1'),
  ready('vm-disk2.vmdk', 'disk2'),
  ready('vm-file1.nvram', 'nvram'),
];

const without = (name: string): readonly OvfPackageFile[] =>
  allFiles.filter((file) => file.name !== name);

const replacing = (file: OvfPackageFile): readonly OvfPackageFile[] =>
  allFiles.map((each) => (each.name === file.name ? file : each));

describe('inspectOvfPackage', () => {
  it('finds nothing wrong with a complete package and its manifest', () => {
    expect(inspectOvfPackage({ descriptor, manifest, files: allFiles })).toEqual({
      missingFiles: [],
      invalidFiles: [],
    });
  });

  it('finds nothing wrong with a complete package without a manifest', () => {
    expect(inspectOvfPackage({ descriptor, files: without('vm.mf') })).toEqual({
      missingFiles: [],
      invalidFiles: [],
    });
  });

  it('reports a referenced disk without a session entry as missing', () => {
    expect(inspectOvfPackage({ descriptor, manifest, files: without('vm-disk2.vmdk') })).toEqual({
      missingFiles: ['vm-disk2.vmdk'],
      invalidFiles: [],
    });
  });

  it('reports every missing reference, in descriptor order', () => {
    const files = allFiles.filter((file) => !file.name.startsWith('vm-'));
    expect(inspectOvfPackage({ descriptor, files }).missingFiles).toEqual([
      'vm-disk1.vmdk',
      'vm-disk2.vmdk',
      'vm-file1.nvram',
    ]);
  });

  it('reports a referenced entry that was never uploaded as invalid, not received', () => {
    const files = replacing({ name: 'vm-file1.nvram', status: 'WAITING_FOR_TRANSFER' });
    expect(inspectOvfPackage({ descriptor, manifest, files })).toEqual({
      missingFiles: [],
      invalidFiles: [{ name: 'vm-file1.nvram', reason: 'not received' }],
    });
  });

  it.each(['TRANSFERRING', 'VALIDATING', 'ERROR'] as const)(
    'reports a referenced entry in %s as invalid with its status',
    (status) => {
      const files = replacing({ name: 'vm-disk1.vmdk', status });
      expect(inspectOvfPackage({ descriptor, manifest, files }).invalidFiles).toEqual([
        { name: 'vm-disk1.vmdk', reason: status },
      ]);
    },
  );

  it('reports a file whose digest contradicts the manifest as invalid', () => {
    const files = replacing(ready('vm-disk2.vmdk', 'tampered'));
    expect(inspectOvfPackage({ descriptor, manifest, files })).toEqual({
      missingFiles: [],
      invalidFiles: [
        {
          name: 'vm-disk2.vmdk',
          reason: `SHA256 digest does not match the manifest: expected ${sha256('disk2')}, actual ${sha256('tampered')}`,
        },
      ],
    });
  });

  it('checks the descriptor itself against the manifest', () => {
    const files = replacing(ready('vm.ovf', `${xml}\n`));
    expect(inspectOvfPackage({ descriptor, manifest, files }).invalidFiles).toEqual([
      { name: 'vm.ovf', reason: expect.stringMatching(/does not match the manifest/) },
    ]);
  });

  it('reports a READY file without the manifest algorithm digest as invalid', () => {
    const files = replacing({ name: 'vm-disk1.vmdk', status: 'READY' });
    expect(inspectOvfPackage({ descriptor, manifest, files }).invalidFiles).toEqual([
      { name: 'vm-disk1.vmdk', reason: expect.stringMatching(/no SHA256 digest is available/) },
    ]);
  });

  it('does not hold a file that has not arrived to the manifest', () => {
    const files = replacing({ name: 'vm-disk1.vmdk', status: 'TRANSFERRING' });
    expect(inspectOvfPackage({ descriptor, manifest, files }).invalidFiles).toEqual([
      { name: 'vm-disk1.vmdk', reason: 'TRANSFERRING' },
    ]);
  });

  it('combines missing and invalid files', () => {
    const files = allFiles
      .filter((file) => file.name !== 'vm-disk1.vmdk')
      .map((file) =>
        file.name === 'vm-file1.nvram' ? { name: file.name, status: 'ERROR' as const } : file,
      );
    expect(inspectOvfPackage({ descriptor, manifest, files })).toEqual({
      missingFiles: ['vm-disk1.vmdk'],
      invalidFiles: [{ name: 'vm-file1.nvram', reason: 'ERROR' }],
    });
  });

  it('reports a descriptor that does not parse as an invalid descriptor', () => {
    const hostile = `<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${xml.replace(/^<\?xml[^>]*>\n/, '')}`;
    expect(
      inspectOvfPackage({ descriptor: { name: 'vm.ovf', xml: hostile }, files: allFiles }),
    ).toEqual({
      missingFiles: [],
      invalidFiles: [{ name: 'vm.ovf', reason: expect.stringMatching(/DOCTYPE/) }],
    });
  });

  it('names a manifest that does not parse after its session entry', () => {
    expect(
      inspectOvfPackage({ descriptor, manifest: 'SHA256(vm.ovf)= 12', files: allFiles })
        .invalidFiles,
    ).toEqual([{ name: 'vm.mf', reason: expect.stringMatching(/line 1: SHA256 needs 64/) }]);
  });

  it('names a manifest without session entry after the descriptor', () => {
    expect(
      inspectOvfPackage({ descriptor, manifest: 'garbage', files: without('vm.mf') }).invalidFiles,
    ).toEqual([{ name: 'vm.mf', reason: expect.stringMatching(/line 1 is not of the form/) }]);
  });

  it('joins several reasons for one file', () => {
    const broken = { name: 'vm.ovf', xml: '<Envelope/>' };
    const files = replacing(ready('vm.ovf', 'other'));
    expect(inspectOvfPackage({ descriptor: broken, manifest, files }).invalidFiles).toEqual([
      {
        name: 'vm.ovf',
        reason: expect.stringMatching(/not an OVF Envelope; SHA256 digest does not match/),
      },
    ]);
  });

  it('without a descriptor, requires only what the manifest lists, and checks it', () => {
    expect(inspectOvfPackage({ files: [] })).toEqual({ missingFiles: [], invalidFiles: [] });
    expect(inspectOvfPackage({ manifest, files: [ready('vm-disk1.vmdk', 'changed')] })).toEqual({
      // Every file a manifest lists belongs to the package: those the item lacks are missing.
      missingFiles: ['vm.ovf', 'vm-disk2.vmdk', 'vm-file1.nvram'],
      invalidFiles: [{ name: 'vm-disk1.vmdk', reason: expect.stringMatching(/does not match/) }],
    });
  });
});

describe('ovfRole', () => {
  it.each([
    ['vm.ovf', 'descriptor'],
    ['VM.OVF', 'descriptor'],
    ['vm.mf', 'manifest'],
    ['vm.MF', 'manifest'],
    ['vm.cert', 'certificate'],
    ['vm.Cert', 'certificate'],
    ['appliance.ova', 'archive'],
    ['vm-disk1.vmdk', 'other'],
    ['vm.nvram', 'other'],
    ['ovf', 'other'],
    ['vm.ovf.vmdk', 'other'],
    ['vm.mft', 'other'],
  ])('%s is a %s', (name, role) => {
    expect(ovfRole(name)).toBe(role);
  });
});

describe('isOvfMetadataFile', () => {
  it.each([
    ['vm.mf', true],
    ['VM.MF', true],
    ['vm.cert', true],
    ['vm.CERT', true],
    ['vm.ovf', false],
    ['vm.ova', false],
    ['disk.vmdk', false],
    ['mf', false],
  ])('%s → %s', (name, expected) => {
    expect(isOvfMetadataFile(name)).toBe(expected);
  });
});
