import { summarizeEventData } from './event-summary';

describe('event summaries in the history', () => {
  it('keeps the facts of a lean payload as they are', () => {
    const data = { sessionId: 's', name: 'disk.iso', size: 5, ignored: false, reason: null };
    expect(summarizeEventData(data)).toEqual(data);
  });

  it('drops credentials, query strings and fragments from URLs, at any depth', () => {
    expect(
      summarizeEventData({
        sourceEndpoint: {
          uri: 'https://user:secret@mirror.example/iso/a.iso?X-Amz-Signature=abc#frag',
          sslCertificateThumbprint: 'AA:BB',
        },
      }),
    ).toEqual({
      sourceEndpoint: {
        uri: 'https://mirror.example/iso/a.iso',
        sslCertificateThumbprint: 'AA:BB',
      },
    });
    expect(summarizeEventData({ uri: 'not a url' })).toEqual({ uri: '[not a URL]' });
  });

  it('shrinks long lists to their count and keeps short ones', () => {
    const files = Array.from({ length: 11 }, (_, index) => ({ name: `f${index}` }));
    expect(summarizeEventData({ files })).toEqual({ files: { count: 11 } });
    expect(summarizeEventData({ files: files.slice(0, 2) })).toEqual({ files: files.slice(0, 2) });
  });
});
