import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressAllowed, callbackPolicy, checkCallbackUrl, parseAllowEntry } from './callback-policy.js';

const DEFAULT = callbackPolicy([], true);

test('the default policy: public addresses pass; loopback, private, link-local, CGNAT, unspecified, multicast and reserved do not', () => {
  const denied = [
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '192.168.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '192.0.0.192',
    '198.18.0.1',
    '192.0.2.1',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '::127.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:7f00:0001',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '::ffff:0:127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::169.254.169.254',
    '64:ff9b:1::1',
    'fe80::1',
    'febf:ffff::1',
    'fec0::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    'ff05::1:3',
    '2002:7f00:1::1',
    '2001::1',
    '2001:db8::1',
    '100::1',
    '3fff::1',
  ];
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '11.0.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.167.255.255',
    '192.169.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '169.255.0.1',
    '223.255.255.255',
    '126.255.255.255',
    '128.0.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2a00:1450:4001::1',
  ];
  for (const a of denied) assert.equal(addressAllowed(DEFAULT, a), false, `${a} is refused`);
  for (const a of allowed) assert.equal(addressAllowed(DEFAULT, a), true, `${a} passes`);
});

test('what is not an IP address in its usual form is never allowed as one, even with no policy at all', () => {
  const open = callbackPolicy([], false);
  for (const a of [
    '2130706433',
    '0x7f.1',
    '127.1',
    '0177.0.0.1',
    'localhost',
    '',
    ' 127.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '::ffff:1.2.3',
    '::1/128',
  ]) {
    assert.equal(addressAllowed(open, a), false, JSON.stringify(a));
  }
  assert.equal(addressAllowed(DEFAULT, 'fe80::1%2'), false, 'a zone does not hide link-local');
  assert.equal(addressAllowed(callbackPolicy(['fe80::/10'], true), 'fe80::1%2'), true);
});

test("with the private deny off and no allow-list, any address passes (Judge0's own behaviour)", () => {
  const open = callbackPolicy([], false);
  for (const a of ['127.0.0.1', '::1', '169.254.169.254', '10.0.0.1', '8.8.8.8'])
    assert.equal(addressAllowed(open, a), true, a);
});

test('an allow-list: only what it lists, and a listed address, range or name wins over the private deny', () => {
  const cases: [allow: string[], denyPrivate: boolean, address: string, name: string | undefined, allowed: boolean][] =
    [
      [['127.0.0.1'], true, '127.0.0.1', undefined, true],
      [['127.0.0.1'], true, '::ffff:127.0.0.1', undefined, true],
      [['127.0.0.1'], true, '127.0.0.2', undefined, false],
      [['127.0.0.1'], true, '::1', undefined, false],
      [['127.0.0.1'], true, '8.8.8.8', undefined, false],
      [['127.0.0.1/32'], true, '127.0.0.1', undefined, true],
      [['10.0.0.0/8'], true, '10.20.30.40', undefined, true],
      [['10.0.0.0/8'], true, '11.0.0.1', undefined, false],
      [['10.0.0.0/8'], true, '169.254.169.254', undefined, false],
      [['10.0.0.0/8'], false, '127.0.0.1', undefined, false],
      [['8.8.8.0/24'], true, '8.8.8.8', undefined, true],
      [['8.8.8.0/24'], true, '1.1.1.1', undefined, false],
      [['fd00::/8'], true, 'fd00::5', undefined, true],
      [['fd00::/8'], true, 'fe80::5', undefined, false],
      [['::1'], true, '::1', undefined, true],
      [['::1'], true, '127.0.0.1', undefined, false],
      [['hooks.example.com'], true, '10.1.2.3', 'hooks.example.com', true],
      [['hooks.example.com'], true, '10.1.2.3', 'HOOKS.example.com.', true],
      [['hooks.example.com'], true, '10.1.2.3', 'other.example.com', false],
      [['hooks.example.com'], true, '8.8.8.8', 'other.example.com', false],
      [['hooks.example.com'], true, '8.8.8.8', 'evil.hooks.example.com', false],
      [['hooks.example.com', '10.0.0.0/8'], true, '10.9.9.9', 'other.example.com', true],
      [['hooks.example.com', '10.0.0.0/8'], true, '127.0.0.1', 'other.example.com', false],
    ];
  for (const [allow, denyPrivate, address, name, allowed] of cases) {
    assert.equal(
      addressAllowed(callbackPolicy(allow, denyPrivate), address, name),
      allowed,
      `${allow.join(',')} deny=${denyPrivate}: ${address} as ${name ?? 'itself'}`,
    );
  }
});

test('allow-list entries: addresses, CIDRs with no host bits, and DNS names; anything else is one line saying what is wrong', () => {
  assert.deepEqual(parseAllowEntry('127.0.0.1'), { kind: 'net', address: '127.0.0.1', prefix: 32, family: 'ipv4' });
  assert.deepEqual(parseAllowEntry('10.0.0.0/8'), { kind: 'net', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
  assert.deepEqual(parseAllowEntry('fd00::/8'), { kind: 'net', address: 'fd00::', prefix: 8, family: 'ipv6' });
  assert.deepEqual(parseAllowEntry('::1'), { kind: 'net', address: '::1', prefix: 128, family: 'ipv6' });
  assert.deepEqual(parseAllowEntry('Hooks.Example.com.'), { kind: 'name', name: 'hooks.example.com' });
  assert.deepEqual(parseAllowEntry('localhost'), { kind: 'name', name: 'localhost' });
  for (const bad of [
    '10.0.0.1/8',
    '10.0.0.0/33',
    '10.0.0.0/',
    '::1/129',
    'fd00::1/8',
    '2130706433',
    '0x7f.1',
    '127.1',
    '*.example.com',
    'http://example.com',
    'example.com:80',
    '[::1]',
    'fe80::1%eth0',
    '::ffff:10.0.0.0/104',
    '::ffff:127.0.0.1',
    'a..b',
    '-a.com',
    'exa mple.com',
    '10.0.0.0/8x',
    '',
  ]) {
    const got = parseAllowEntry(bad);
    assert.equal(typeof got, 'string', `${JSON.stringify(bad)} is refused`);
    assert.ok(!(got as string).includes('\n'));
  }
  assert.throws(() => callbackPolicy(['10.0.0.1/8'], true), /10\.0\.0\.1\/8/);
});

test('a callback URL, decided from the URL alone: scheme, userinfo, literal addresses in any spelling, and localhost names', () => {
  const SCHEME = 'must be an http or https URL';
  const USERINFO = 'must not carry a user name or password';
  const REFUSED = 'is not allowed: this server does not call back to that host';
  const problem = (p: ReturnType<typeof callbackPolicy>, url: string): string | undefined => {
    const c = checkCallbackUrl(p, url);
    return c.ok ? undefined : c.problem;
  };
  const table: [url: string, expected: string | undefined][] = [
    ['http://example.com/done', undefined],
    ['https://example.com:8443/a?b=c', undefined],
    ['HTTP://EXAMPLE.COM/', undefined],
    ['http://8.8.8.8/', undefined],
    ['http://[2606:4700:4700::1111]/', undefined],
    ['ftp://example.com/', SCHEME],
    ['file:///etc/passwd', SCHEME],
    ['javascript:alert(1)', SCHEME],
    ['gopher://127.0.0.1:6379/_FLUSHALL', SCHEME],
    ['not a url', SCHEME],
    ['http://', SCHEME],
    ['http://[fe80::1%25lo]/', SCHEME],
    ['http://user:pass@example.com/', USERINFO],
    ['http://user@example.com/', USERINFO],
    ['http://:pass@example.com/', USERINFO],
    ['http://127.0.0.1/', REFUSED],
    ['http://127.0.0.1:6379/', REFUSED],
    ['http://2130706433/', REFUSED],
    ['http://0x7f000001/', REFUSED],
    ['http://0x7f.1/', REFUSED],
    ['http://0177.0.0.1/', REFUSED],
    ['http://127.1/', REFUSED],
    ['http://0/', REFUSED],
    ['http://0.0.0.0/', REFUSED],
    ['http://[::]/', REFUSED],
    ['http://[::1]/', REFUSED],
    ['http://[::ffff:127.0.0.1]/', REFUSED],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', REFUSED],
    ['http://169.254.169.254/latest/meta-data/', REFUSED],
    ['http://0xa9fea9fe/', REFUSED],
    ['http://[::ffff:a9fe:a9fe]/', REFUSED],
    ['http://10.1.2.3/', REFUSED],
    ['http://[fd00::1]/', REFUSED],
    ['http://localhost/', REFUSED],
    ['http://LocalHost./', REFUSED],
    ['http://cb.localhost/', REFUSED],
    ['http://127.0.0.1.nip.io/', undefined], // a name: decided when it is resolved, at delivery
  ];
  for (const [url, expected] of table) assert.equal(problem(DEFAULT, url), expected, url);

  const loopback = callbackPolicy(['127.0.0.1'], true);
  assert.equal(problem(loopback, 'http://127.0.0.1:9/'), undefined);
  assert.equal(problem(loopback, 'http://2130706433:9/'), undefined, 'the same address, spelled otherwise');
  assert.equal(problem(loopback, 'http://127.0.0.2:9/'), REFUSED);
  assert.equal(problem(loopback, 'http://[::1]:9/'), REFUSED);
  assert.equal(problem(loopback, 'http://localhost:9/'), REFUSED, 'localhost is ::1 as well');
  assert.equal(problem(loopback, 'http://example.com/'), undefined, 'may resolve to 127.0.0.1: decided at delivery');
  assert.equal(problem(loopback, 'http://user@127.0.0.1:9/'), USERINFO);
  const names = callbackPolicy(['hooks.example.com'], true);
  assert.equal(problem(names, 'http://hooks.example.com/'), undefined);
  assert.equal(problem(names, 'http://HOOKS.EXAMPLE.COM./x'), undefined);
  assert.equal(
    problem(names, 'http://other.example.com/'),
    REFUSED,
    'with no ranges listed, an unlisted name can never pass',
  );
  assert.equal(problem(names, 'http://8.8.8.8/'), REFUSED);
  assert.equal(problem(callbackPolicy(['localhost'], true), 'http://localhost:9/'), undefined);
  assert.equal(problem(callbackPolicy([], false), 'http://127.0.0.1/'), undefined);

  const ok = checkCallbackUrl(DEFAULT, 'http://Example.COM./p');
  assert.ok(ok.ok);
  assert.equal(ok.host, 'example.com.');
  assert.equal(ok.literal, undefined);
  const lit = checkCallbackUrl(callbackPolicy(['127.0.0.1'], true), 'http://2130706433:9/');
  assert.ok(lit.ok);
  assert.equal(lit.literal, '127.0.0.1');
});
