import { withoutSecrets } from './without-secrets';

describe('withoutSecrets', () => {
  it('drops credentials, query string and fragment', () => {
    expect(withoutSecrets('https://user:pw@Host.example:8443/a/b.iso?X-Sig=abc#part')).toBe(
      'https://host.example:8443/a/b.iso',
    );
  });

  it('gives back a URL without them exactly as written', () => {
    for (const uri of ['http://HOST/path', 'ds:///vmfs/volumes/ds1/x.iso', 'file:///srv/a b.iso'])
      expect(withoutSecrets(uri)).toBe(uri);
  });

  it('is undefined for text that is not a URL', () => {
    expect(withoutSecrets('not a url')).toBeUndefined();
  });
});
