import { fileNameProblem, quoteName } from './ovf-file-name';

describe('fileNameProblem', () => {
  it.each([
    'disk1.vmdk',
    'web-01-file1.nvram',
    'My VM (copy).vmdk',
    'ubuntu-22.04.iso',
    '.hidden.vmdk',
    'ü.vmdk',
    '12:30.vmdk',
  ])('accepts %j', (name) => {
    expect(fileNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['.', 'is "."'],
    ['..', 'contains ".."'],
    ['../x', 'contains ".."'],
    ['x/..', 'contains ".."'],
    ['a/b', 'contains a path separator'],
    ['a\\b', 'contains a path separator'],
    ['/etc/passwd', 'is an absolute path'],
    ['\\x', 'is an absolute path'],
    ['C:x', 'is absolute or has a URL scheme'],
    ['https://example.com/x', 'is absolute or has a URL scheme'],
    ['x\u0000', 'contains a control character'],
    ['x\n.vmdk', 'contains a control character'],
    ['x\u007f', 'contains a control character'],
    ['x\u009b', 'contains a control character'],
  ])('refuses %j: %s', (name, problem) => {
    expect(fileNameProblem(name)).toBe(problem);
  });
});

describe('quoteName', () => {
  it('escapes what would garble a log line', () => {
    expect(quoteName('a"b\n\u0000')).toBe('"a\\"b\\n\\u0000"');
  });
});
