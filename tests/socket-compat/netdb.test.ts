// Name resolution, services and the default timeout, checked against
// CPython's socket module on this machine. Only names this machine resolves
// the same way for both are used: numeric hosts, localhost, the machine's
// own name, and names that cannot exist (.invalid).
import { expect } from 'chai';
import { hostname } from 'node:os';
import * as socket from '@stackless-io/socket-compat';
import { expectSameAsPython, needPython, inTasklet, raises, raisesNow, useDefaultBackend, expectError, type Call } from './helpers.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_V4MAPPED } = socket;
const { NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM } = socket;

const GETADDRINFO: Call[] = [
  ['getaddrinfo', '127.0.0.1', 80],
  ['getaddrinfo', '127.0.0.1', 'http'],
  ['getaddrinfo', '127.0.0.1', 'domain'],
  ['getaddrinfo', '127.0.0.1', 'nosuchservice'],
  ['getaddrinfo', '127.0.0.1', '80', 0, SOCK_DGRAM],
  ['getaddrinfo', '127.0.0.1', 'http', 0, SOCK_DGRAM],
  ['getaddrinfo', '127.0.0.1', 'http', 0, SOCK_RAW],
  ['getaddrinfo', '127.0.0.1', 70000],
  ['getaddrinfo', '127.0.0.1', -1],
  ['getaddrinfo', '127.0.0.1', ''],
  ['getaddrinfo', '127.0.0.1', null],
  ['getaddrinfo', '127.0.0.1', 80, 0, 0, 6],
  ['getaddrinfo', '127.0.0.1', 80, 0, 0, 17],
  ['getaddrinfo', '127.0.0.1', 80, 0, 0, 99],
  ['getaddrinfo', '127.0.0.1', 80, 0, SOCK_DGRAM, 6],
  ['getaddrinfo', '127.0.0.1', 80, 0, SOCK_RAW, 99],
  ['getaddrinfo', '127.0.0.1', 80, 0, 99],
  ['getaddrinfo', '127.0.0.1', 80, 0, SOCK_SEQPACKET],
  ['getaddrinfo', '127.0.0.1', 80, 0, 0, 0, 0x10000],
  ['getaddrinfo', '127.0.0.1', 80, 0, SOCK_STREAM, 0, AI_CANONNAME],
  ['getaddrinfo', '127.0.0.1', 80, 0, 0, 0, AI_CANONNAME],
  ['getaddrinfo', '127.0.0.1', 'http', 0, SOCK_STREAM, 0, AI_NUMERICSERV],
  ['getaddrinfo', '127.0.0.1', 80, AF_INET6],
  ['getaddrinfo', '127.0.0.1', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED],
  ['getaddrinfo', '127.0.0.1', 80, AF_UNIX],
  ['getaddrinfo', '127.1', 80, 0, SOCK_STREAM],
  ['getaddrinfo', '::1', 80],
  ['getaddrinfo', '::1', 80, AF_INET],
  ['getaddrinfo', '::ffff:1.2.3.4', 80, 0, SOCK_STREAM],
  ['getaddrinfo', 'fe80::1%1', 80, 0, SOCK_STREAM],
  ['getaddrinfo', null, 80, 0, SOCK_STREAM],
  ['getaddrinfo', null, 80, 0, SOCK_STREAM, 0, AI_PASSIVE],
  ['getaddrinfo', null, 80, AF_INET, SOCK_STREAM, 0, AI_PASSIVE],
  ['getaddrinfo', null, null],
  ['getaddrinfo', null, 80, 0, SOCK_STREAM, 0, AI_CANONNAME],
  ['getaddrinfo', '', 80],
  ['getaddrinfo', 'localhost', 80],
  ['getaddrinfo', 'localhost', 80, AF_INET, SOCK_STREAM],
  ['getaddrinfo', 'localhost', 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME],
  ['getaddrinfo', 'localhost', 80, 0, SOCK_STREAM, 0, AI_NUMERICHOST],
  ['getaddrinfo', 'nosuchhost.invalid', 80],
  ['getaddrinfo', 1, 80],
  ['getaddrinfo', '127.0.0.1', 1.5],
  ['getaddrinfo', '127.0.0.1', true],
  ['getaddrinfo', '127.0.0.1', 80, 'x'],
  ['getaddrinfo', { $b: '3132372e302e302e31' }, { $b: '3830' }],
];

const GETNAMEINFO: Call[] = [
  ['getnameinfo', ['127.0.0.1', 80], 0],
  ['getnameinfo', ['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV],
  ['getnameinfo', ['127.0.0.1', 53], NI_DGRAM],
  ['getnameinfo', ['127.0.0.1', 4], 0],
  ['getnameinfo', ['127.0.0.1', 70000], 0],
  ['getnameinfo', ['127.0.0.1', -1], NI_NUMERICSERV],
  ['getnameinfo', ['127.0.0.1', 80, 0, 0], 0],
  ['getnameinfo', ['127.0.0.1'], 0],
  ['getnameinfo', ['::1', 80, 1 << 21, 0], 0],
  ['getnameinfo', ['::1', 80, 0, 0, 0], 0],
  ['getnameinfo', ['::1', 80], NI_NUMERICHOST],
  ['getnameinfo', [1, 80], 0],
  ['getnameinfo', ['127.0.0.1', 'a'], 0],
  ['getnameinfo', 'x', 0],
  ['getnameinfo', ['localhost', 80], 0],
  ['getnameinfo', ['192.0.2.1', 80], NI_NAMEREQD],
  ['getnameinfo', ['192.0.2.1', 80], NI_NUMERICSERV],
  ['getnameinfo', ['127.0.0.1', 80], 'a'],
];

const HOSTS: Call[] = [
  ['gethostbyname', 'localhost'],
  ['gethostbyname', '127.0.0.1'],
  ['gethostbyname', '127.1'],
  ['gethostbyname', ''],
  ['gethostbyname', '<broadcast>'],
  ['gethostbyname', '::1'],
  ['gethostbyname', 'nosuchhost.invalid'],
  ['gethostbyname', 1],
  ['gethostbyname', { $b: '6c6f63616c686f7374' }],
  ['gethostbyname', hostname()],
  ['gethostbyname_ex', 'localhost'],
  ['gethostbyname_ex', '127.0.0.1'],
  ['gethostbyname_ex', '::1'],
  ['gethostbyname_ex', 'nosuchhost.invalid'],
  ['gethostbyname_ex', hostname()],
  ['gethostbyaddr', '127.0.0.1'],
  ['gethostbyaddr', 'localhost'],
  ['gethostbyaddr', '192.0.2.1'],
  ['gethostbyaddr', 'nosuchhost.invalid'],
  ['gethostbyaddr', ''],
  ['gethostbyaddr', 5],
  ['getfqdn', '127.0.0.1'],
  ['getfqdn', 'localhost'],
  ['getfqdn', 'nosuchhost.invalid'],
  ['getfqdn', '  localhost  '],
  ['getfqdn'],
  ['getfqdn', 5],
  ['gethostname'],
];

const SERVICES: Call[] = [
  ['getservbyname', 'http'],
  ['getservbyname', 'http', 'tcp'],
  ['getservbyname', 'http', 'udp'],
  ['getservbyname', 'www'],
  ['getservbyname', 'domain', 'udp'],
  ['getservbyname', 'nosuchservice'],
  ['getservbyname', 5],
  ['getservbyname', 'http', 5],
  ['getservbyport', 80],
  ['getservbyport', 53, 'udp'],
  ['getservbyport', 4],
  ['getservbyport', 1],
  ['getservbyport', 70000],
  ['getservbyport', -1],
  ['getservbyport', 2 ** 40],
  ['getservbyport', '80'],
  ['getservbyport', 53, 5],
  ['getprotobyname', 'tcp'],
  ['getprotobyname', 'udp'],
  ['getprotobyname', 'ipv6-icmp'],
  ['getprotobyname', 'no-such-proto'],
  ['getprotobyname', 5],
];

/** Calls with too few or too many arguments: CPython's wording depends on how each function is written. */
const ARITY: Call[] = [
  ['getaddrinfo'],
  ['getaddrinfo', 'localhost'],
  ['getaddrinfo', 'a', 1, 0, 0, 0, 0, 0],
  ['getnameinfo', ['127.0.0.1', 80]],
  ['gethostbyname'],
  ['gethostbyname_ex', 'a', 'b'],
  ['gethostbyaddr'],
  ['getfqdn', 'a', 'b'],
  ['inet_pton', 2],
  ['inet_ntop'],
  ['inet_aton'],
  ['inet_ntoa'],
  ['htons'],
  ['ntohs', 1, 2],
  ['htonl'],
  ['ntohl', 1, 2],
  ['getservbyname'],
  ['getservbyport', 1, 'tcp', 3],
  ['getprotobyname'],
  ['setdefaulttimeout'],
  ['getdefaulttimeout', 1],
  ['gethostname', 1],
  ['has_dualstack_ipv6', 1],
  ['fromfd'],
  ['fromfd', 1],
  ['socketpair', 1, 2, 3, 4],
  ['create_connection'],
  ['create_server'],
  ['dup'],
  ['close'],
  ['close', -1],
  ['dup', -1],
];

const INTERFACES: Call[] = [
  ['if_nameindex'],
  ['if_nameindex', 1],
  ['if_nametoindex', 'lo'],
  ['if_nametoindex', 'no-such-interface-xyz'],
  ['if_nametoindex', ''],
  ['if_nametoindex', 1],
  ['if_nametoindex', { $b: '6c6f' }],
  ['if_nametoindex'],
  ['if_indextoname', 1],
  ['if_indextoname', 99999],
  ['if_indextoname', -1],
  ['if_indextoname', 'a'],
  ['if_indextoname'],
];

const TIMEOUTS: Call[] = [
  ['getdefaulttimeout'],
  ['setdefaulttimeout', -1],
  ['setdefaulttimeout', 'a'],
  ['setdefaulttimeout', 1e300],
  ['getdefaulttimeout'],
  ['has_dualstack_ipv6'],
];

describe('socket-compat: getaddrinfo, getnameinfo, gethostby*, getfqdn, getservby*', function () {
  useDefaultBackend();

  for (const [title, calls] of [
    ['getaddrinfo', GETADDRINFO],
    ['getnameinfo', GETNAMEINFO],
    ['gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn, gethostname', HOSTS],
    ['getservbyname, getservbyport, getprotobyname', SERVICES],
    ['argument counts', ARITY],
    ['if_nameindex, if_nametoindex, if_indextoname', INTERFACES],
    ['getdefaulttimeout, setdefaulttimeout (bad input), has_dualstack_ipv6', TIMEOUTS],
  ] as const) {
    it(`${title}: the same answers as CPython`, async function () {
      needPython(this);
      await expectSameAsPython(socket as unknown as Record<string, unknown>, calls as unknown as Call[]);
    });
  }

  it('setdefaulttimeout gives new sockets their timeout; existing ones keep theirs', async function () {
    const made: socket.socket[] = [];
    try {
      const before = new socket.socket();
      made.push(before);
      socket.setdefaulttimeout(2.5);
      const after = new socket.socket();
      made.push(after);
      expect([socket.getdefaulttimeout(), before.gettimeout(), after.gettimeout(), after.timeout]).to.deep.equal([2.5, null, 2.5, 2.5]);
      socket.setdefaulttimeout(0);
      const nb = new socket.socket();
      made.push(nb);
      expect(nb.getblocking()).to.equal(false);
      socket.setdefaulttimeout(null);
      expect(socket.getdefaulttimeout()).to.equal(null);
      expectError(raisesNow(() => (socket.setdefaulttimeout as (...a: unknown[]) => void)()), 'TypeError', '_socket.setdefaulttimeout() takes exactly one argument (0 given)');
      expectError(raisesNow(() => socket.setdefaulttimeout(Number.NaN)), 'ValueError', 'Invalid value NaN (not a number)');
    } finally {
      for (const s of made) s.close();
    }
  });

  it('resolving a name blocks only the calling tasklet', async function () {
    const order: string[] = [];
    const { spawn } = await import('@stackless-io/runtime');
    const other = spawn(function* () {
      order.push('other ran');
    });
    const addrs = await inTasklet(function* () {
      const r = yield* socket.getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM);
      order.push('resolved');
      return r;
    });
    await other.join();
    expect(order).to.deep.equal(['other ran', 'resolved']);
    expect(addrs[0]![4]).to.deep.equal(['127.0.0.1', 80]);
  });

  it('operations check their arguments when called, before any tasklet runs them', function () {
    expectError(raisesNow(() => socket.getaddrinfo(5 as never, 80)), 'TypeError', 'getaddrinfo() argument 1 must be string or None');
    expectError(raisesNow(() => socket.getnameinfo('x' as never, 0)), 'TypeError', 'getnameinfo() argument 1 must be a tuple');
    expectError(raisesNow(() => socket.gethostbyname(5 as never)), 'TypeError', 'gethostbyname() argument 1 must be str, bytes or bytearray, not int');
  });

  it('gaierror and herror are OSErrors with the resolver codes', async function () {
    const e = await inTasklet(() => raises(() => socket.getaddrinfo('nosuchhost.invalid', 80)));
    expect(e).to.be.instanceOf(socket.gaierror);
    expect(e).to.be.instanceOf(socket.OSError);
    expectError(e, 'gaierror', '[Errno -2] Name or service not known', socket.EAI_NONAME);
    const h = await inTasklet(() => raises(() => socket.gethostbyaddr('192.0.2.1')));
    expect(h).to.be.instanceOf(socket.herror);
    expectError(h, 'herror', '[Errno 1] Unknown host', 1);
  });

  it('IPv6 scope ids: interface names on link-local addresses, the tuple\'s scope in getnameinfo; a surrogate in a service name; as CPython', async function () {
    needPython(this);
    const N = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV;
    const calls: Call[] = [
      ['getnameinfo', ['ff02::1de:c0:face:8D', 1234, 0, 1], N],
      ['getnameinfo', ['fe80::1', 80, 0, 1], N],
      ['getnameinfo', ['fe80::1', 80, 0, 77], N],
      ['getnameinfo', ['2001:db8::1', 80, 0, 1], N],
      ['getnameinfo', ['fe80::1%lo', 80, 0, 0], N],
      ['getnameinfo', ['fe80::1%lo', 80], N],
      ['getaddrinfo', 'fe80::1%lo', 80, socket.AF_INET6, socket.SOCK_DGRAM],
      ['getaddrinfo', 'ff02::1%lo', 80, socket.AF_INET6, socket.SOCK_DGRAM],
      ['getaddrinfo', 'fe80::1%nosuch', 80, socket.AF_INET6, socket.SOCK_DGRAM],
      ['getaddrinfo', '2001:db8::1%lo', 80, socket.AF_INET6, socket.SOCK_DGRAM],
      ['getaddrinfo', 'fe80::1%7', 80, socket.AF_INET6, socket.SOCK_DGRAM],
      ['getaddrinfo', 'localhost', 'ab\udcffc'],
      ['getaddrinfo', 'localhost', '\ud800'],
    ];
    await expectSameAsPython(socket as unknown as Record<string, unknown>, calls);
  });
});
