import { OutboundPolicy } from './outbound-policy';
import { PullSourceError } from './pull-source-error';

function refusal(policy: OutboundPolicy, address: string, host?: string): PullSourceError {
  try {
    policy.check(address, host);
  } catch (error) {
    expect(error).toBeInstanceOf(PullSourceError);
    return error as PullSourceError;
  }
  throw new Error(`${address} was allowed`);
}

describe('OutboundPolicy', () => {
  describe('with no allowed networks', () => {
    const policy = new OutboundPolicy({ allowedNetworks: [] });

    it.each([
      ['8.8.8.8'],
      ['1.1.1.1'],
      ['172.32.0.1'],
      ['100.128.0.1'],
      ['11.0.0.1'],
      ['2606:4700:4700::1111'],
      ['2001:4860:4860::8888'],
      ['::ffff:8.8.8.8'],
    ])('allows the public address %s', (address) => {
      expect(() => policy.check(address)).not.toThrow();
      expect(policy.allows(address)).toBe(true);
    });

    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fc00::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'broadcast'],
      ['ff02::1', 'multicast'],
      ['198.18.0.1', 'benchmarking'],
      ['198.19.255.255', 'benchmarking'],
      ['192.0.2.10', 'documentation'],
      ['203.0.113.7', 'documentation'],
      ['2001:db8::1', 'documentation'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0:0:0:0:0:ffff:a00:1', 'private'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['169.254.1.1', 'never reached'],
      ['fe80::1', 'never reached'],
      ['not-an-address', 'not an IP address'],
    ])('refuses %s (%s)', (address, reason) => {
      const error = refusal(policy, address);

      expect(error).toMatchObject({ permanent: true, code: 'ADDRESS_REFUSED' });
      expect(error.message).toContain(reason);
      expect(policy.allows(address)).toBe(false);
    });

    it('names the host the address came from, in words for the user', () => {
      expect(refusal(policy, '169.254.169.254', 'metadata.example').message).toBe(
        'Address 169.254.169.254 of metadata.example is refused: link-local and cloud metadata ' +
          'addresses are never reached.',
      );
      expect(refusal(policy, '10.0.0.5', 'files.internal').message).toBe(
        'Address 10.0.0.5 of files.internal is refused: it is a private address outside the ' +
          'allowed networks.',
      );
    });
  });

  describe('with allowed networks', () => {
    const policy = new OutboundPolicy({
      allowedNetworks: [
        '127.0.0.0/8',
        '10.0.0.0/8',
        'fd00::/8',
        '100.64.0.0/10',
        '169.254.0.0/16',
        'fe80::/10',
      ],
    });

    it.each([['127.0.0.1'], ['::ffff:127.0.0.1'], ['10.20.30.40'], ['fd12::1'], ['100.64.0.1']])(
      'allows %s inside them',
      (address) => {
        expect(() => policy.check(address)).not.toThrow();
      },
    );

    it.each([['::1'], ['192.168.1.1'], ['172.16.0.1'], ['fc00::1']])(
      'still refuses %s outside them',
      (address) => {
        expect(refusal(policy, address).message).toContain('outside the allowed networks');
      },
    );

    it.each([
      ['169.254.169.254'],
      ['169.254.1.1'],
      ['fe80::1'],
      ['fd00:ec2::254'],
      ['100.100.100.200'],
      ['::ffff:169.254.169.254'],
    ])('never reaches the link-local or metadata address %s, even when allowed', (address) => {
      expect(refusal(policy, address).message).toContain(
        'link-local and cloud metadata addresses are never reached',
      );
    });
  });

  describe('schemes', () => {
    const policy = new OutboundPolicy({ allowedNetworks: [] });

    it.each([['http://a/x'], ['https://a/x'], ['file:///x'], ['ds:///vmfs/volumes/d/x']])(
      'allows %s',
      (url) => {
        expect(() => policy.checkScheme(new URL(url))).not.toThrow();
      },
    );

    it.each([
      ['ftp://files.example/x.iso', 'ftp'],
      ['gopher://files.example/x', 'gopher'],
      ['javascript:alert(1)', 'javascript'],
    ])('refuses %s, naming the scheme', (url, scheme) => {
      let error: unknown;
      try {
        policy.checkScheme(new URL(url));
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(PullSourceError);
      expect(error).toMatchObject({ permanent: true, code: 'UNSUPPORTED_SCHEME' });
      expect((error as PullSourceError).message).toContain(`Scheme "${scheme}"`);
    });
  });

  describe('operator restrictions', () => {
    it('refuses schemes the operator did not allow, listing the allowed ones', () => {
      const policy = new OutboundPolicy({ allowedNetworks: [], allowedSchemes: ['https'] });
      expect(() => policy.checkScheme(new URL('https://a/x'))).not.toThrow();
      expect(() => policy.checkScheme(new URL('http://a/x'))).toThrow(/use https\.$/);
      expect(() => policy.checkScheme(new URL('file:///x'))).toThrow(PullSourceError);
    });

    it('allows any port by default and only the listed ports and ranges when configured', () => {
      expect(() => new OutboundPolicy({ allowedNetworks: [] }).checkPort(22, 'a')).not.toThrow();
      const policy = new OutboundPolicy({
        allowedNetworks: [],
        allowedPorts: [
          [443, 443],
          [8000, 8999],
        ],
      });
      for (const port of [443, 8000, 8443, 8999]) {
        expect(() => policy.checkPort(port, 'a')).not.toThrow();
      }
      for (const port of [22, 80, 7999, 9000]) {
        expect(() => policy.checkPort(port, 'a')).toThrow(`Port ${port} of a is refused`);
      }
    });
  });
});
