import { describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { createOutboundPolicy, OutboundRefusedError, parseOutboundAllowList } from './outbound.ts';

const fieldError = (check: () => void): string => {
  try {
    check();
    return 'accepted';
  } catch (error) {
    return isRosettaError(error) ? `${error.code} ${error.field}` : String(error);
  }
};

describe('outbound destinations', () => {
  const policy = createOutboundPolicy();
  const saved = (url: string) => fieldError(() => policy.checkUrl(new URL(url), 'destination.url'));

  it('refuses loopback, private, link-local and reserved literals in every spelling when saved', () => {
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://127.9.9.9/',
      'http://2130706433/', // decimal 127.0.0.1
      'http://0x7f.1/', // hex
      'http://0177.0.0.1/', // octal
      'http://127.1/',
      'http://0.0.0.0/',
      'http://0/',
      'http://[::1]/',
      'http://[::]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/', // 169.254.169.254
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://172.31.255.255/',
      'http://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://100.127.255.254/',
      'http://[fe80::1]/',
      'http://[fd12:3456::1]/',
      'http://[fc00::1]/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      'http://[ff02::1]/',
      'http://localhost:3000/',
      'http://LOCALHOST./',
      'http://api.localhost/',
    ];
    for (const url of refused) expect([url, saved(url)]).toEqual([url, 'ERR_VALIDATION destination.url']);
    expect(() => policy.checkUrl(new URL('http://0x7f.1/'), 'destination.url')).toThrow(
      'destination.url: 127.0.0.1 is a loopback, private, link-local or reserved address',
    );
  });

  it('accepts public addresses and names (names are checked at delivery)', () => {
    for (const url of [
      'https://hooks.slack.com/services/T0/B0/x',
      'http://8.8.8.8/',
      'http://172.32.0.1/',
      'http://100.128.0.1/',
      'http://[2001:4860:4860::8888]/',
      'http://[::ffff:8.8.8.8]/',
      'http://intranet.example.test/',
    ]) {
      expect([url, saved(url)]).toEqual([url, 'accepted']);
    }
  });

  it('lets the allow-list name hosts, addresses and ranges', () => {
    const allowing = createOutboundPolicy({ allow: ['localhost', '127.0.0.1', '10.0.0.0/8', 'fd00::/8'] });
    const check = (url: string) => fieldError(() => allowing.checkUrl(new URL(url), 'destination.url'));
    expect(check('http://localhost:9/')).toBe('accepted');
    expect(check('http://127.0.0.1:9/')).toBe('accepted');
    expect(check('http://[::ffff:127.0.0.1]/')).toBe('accepted');
    expect(check('http://10.20.30.40/')).toBe('accepted');
    expect(check('http://[fd00::5]/')).toBe('accepted');
    expect(check('http://127.0.0.2/')).toBe('ERR_VALIDATION destination.url');
    expect(check('http://192.168.0.1/')).toBe('ERR_VALIDATION destination.url');
  });

  it('checks every address a name resolves to at delivery, and answers the one to connect to', async () => {
    const answers: Record<string, string[]> = {
      'public.example.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'rebind.example.test': ['93.184.215.14', '127.0.0.1'],
      'inside.example.test': ['10.0.0.5'],
      'mapped.example.test': ['::ffff:192.168.0.1'],
    };
    const resolving = createOutboundPolicy({
      resolve: async (host) =>
        (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });
    await expect(resolving.addressFor(new URL('http://public.example.test/'))).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    for (const host of ['rebind.example.test', 'inside.example.test', 'mapped.example.test']) {
      const error = await resolving.addressFor(new URL(`https://${host}/hook`)).catch((e) => e);
      expect(error).toBeInstanceOf(OutboundRefusedError);
      expect(error.message).toBe(
        `refused: ${host} resolves to a loopback, private, link-local or reserved address, which deliveries may not reach`,
      );
    }
    await expect(resolving.addressFor(new URL('http://[::1]/'))).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(resolving.addressFor(new URL('http://nowhere.example.test/'))).rejects.toThrow(
      'nowhere.example.test resolves to no address',
    );
  });

  it('refuses localhost through the system resolver unless the host is allowed', async () => {
    await expect(createOutboundPolicy().addressFor(new URL('http://localhost/'))).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
    const allowed = await createOutboundPolicy({ allow: ['localhost'] }).addressFor(
      new URL('http://localhost/'),
    );
    expect(['127.0.0.1', '::1']).toContain(allowed.address);
  });

  it('parses the allow-list setting and names a bad entry', () => {
    expect(parseOutboundAllowList('')).toEqual([]);
    expect(parseOutboundAllowList(' localhost, 127.0.0.1 ,10.0.0.0/8,fd00::/8,,hooks.internal.')).toEqual([
      'localhost',
      '127.0.0.1',
      '10.0.0.0/8',
      'fd00::/8',
      'hooks.internal.',
    ]);
    expect(() => parseOutboundAllowList('localhost,10.0.0.0/33')).toThrow(
      '"10.0.0.0/33": the prefix length must be 0 to 32',
    );
    expect(() => parseOutboundAllowList('fd00::/129')).toThrow('must be 0 to 128');
    expect(() => parseOutboundAllowList('10.0.0.0/x')).toThrow('"10.0.0.0/x"');
    expect(() => parseOutboundAllowList('http://example.com')).toThrow(
      '"http://example.com" is neither a host name, an IP address nor a CIDR',
    );
    expect(() => parseOutboundAllowList('two words')).toThrow('"two words"');
  });
});
