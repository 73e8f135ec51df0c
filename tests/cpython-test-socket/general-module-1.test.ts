// GeneralModuleTests of CPython's test_socket, first part: the socket
// object's repr, the exception classes, argument errors of sendto, the
// crucial constants, host and service resolution, byte order and the
// default timeout.
import { constants } from 'node:os';
import { expect } from 'chai';
import { ValueError } from '@stackless-io/runtime';
import * as socket from '@stackless-io/socket-compat';
import { testClass } from './frame.js';
import { HOST, raises, raisesNow } from './support.js';

const { AF_INET, SOCK_STREAM, SOCK_DGRAM } = socket;
const { EINVAL, EPERM } = constants.errno;

testClass('GeneralModuleTests', ({ test, cannot }) => {
  test('test_SocketType_is_socketobject', function* () {
    const s = new socket.socket();
    expect(s).to.be.instanceOf(socket.SocketType);
    s.close();
  });

  test('test_repr', function* () {
    const s = new socket.socket(AF_INET, SOCK_STREAM);
    try {
      const r = (): string => String(s);
      expect(r()).to.include(`fd=${s.fileno()}`);
      expect(r()).to.include(`family=${String(AF_INET)}`);
      expect(r()).to.include(`type=${String(SOCK_STREAM)}`);
      expect(r()).to.include('proto=0');
      expect(r()).not.to.include('raddr');
      yield* s.bind(['127.0.0.1', 0]);
      expect(r()).to.include('laddr');
      expect(r()).to.include(`('127.0.0.1', ${(s.getsockname() as [string, number])[1]})`);
    } finally {
      s.close();
    }
    expect(String(s)).to.include('[closed]');
    expect(String(s)).not.to.include('laddr');
  });

  cannot('test_csocket_repr', 'the C-level _socket.socket type has no counterpart: socket-compat has one socket class');
  cannot('test_weakref', 'weakref.proxy and garbage collection on demand are not in JavaScript');

  test('testSocketError', function* () {
    // Python raises the classes bare; their constructors here take an errno, so each gets one.
    const make = (cls: new (errno: number) => Error): Error => new cls(0);
    expect(make(socket.OSError)).to.be.instanceOf(socket.OSError);
    expect(make(socket.herror)).to.be.instanceOf(socket.OSError);
    expect(make(socket.gaierror)).to.be.instanceOf(socket.OSError);
  });

  test('testSendtoErrors', function* () {
    const s = new socket.socket(AF_INET, SOCK_DGRAM);
    try {
      yield* s.bind(['', 0]);
      const name = s.getsockname();
      const sendto = s.sendto.bind(s) as (...a: unknown[]) => Generator<any, number, unknown>;
      let e = yield* raises(TypeError, () => sendto('\u2620', name));
      expect(e.message).to.equal("a bytes-like object is required, not 'str'");
      e = yield* raises(TypeError, () => sendto(5.5, name));
      expect(e.message).to.equal("a bytes-like object is required, not 'float'");
      e = yield* raises(TypeError, () => sendto(Buffer.from('foo'), null));
      expect(e.message).to.include('not NoneType');
      e = yield* raises(TypeError, () => sendto('\u2620', 0, name));
      expect(e.message).to.equal("a bytes-like object is required, not 'str'");
      e = yield* raises(TypeError, () => sendto(5.5, 0, name));
      expect(e.message).to.equal("a bytes-like object is required, not 'float'");
      e = yield* raises(TypeError, () => sendto(Buffer.from('foo'), 0, null));
      expect(e.message).to.include('not NoneType');
      yield* raises(TypeError, () => sendto(Buffer.from('foo'), 'bar', name));
      yield* raises(TypeError, () => sendto(Buffer.from('foo'), null, null));
      e = yield* raises(TypeError, () => sendto(Buffer.from('foo')));
      expect(e.message).to.include('(1 given)');
      e = yield* raises(TypeError, () => sendto(Buffer.from('foo'), 0, name, 4));
      expect(e.message).to.include('(4 given)');
    } finally {
      s.close();
    }
  });

  test('testCrucialConstants', function* () {
    for (const n of ['AF_INET', 'AF_INET6', 'SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_RDM', 'SOCK_SEQPACKET', 'SOL_SOCKET', 'SO_REUSEADDR']) {
      expect(socket, n).to.have.property(n);
    }
  });

  test('testCrucialIpProtoConstants', function* () {
    for (const n of ['IPPROTO_TCP', 'IPPROTO_UDP', 'IPPROTO_IPV6']) expect(socket, n).to.have.property(n);
  });

  test('test_socket_methods', function* () {
    // CPython lists `_accept`, its private half of accept(); socket-compat's public accept() is the one to have.
    for (const n of ['accept', 'bind', 'connect', 'connect_ex', 'getpeername', 'getsockname', 'listen', 'recvfrom', 'recvfrom_into', 'sendto', 'setsockopt', 'shutdown']) {
      expect(typeof (socket.socket.prototype as unknown as Record<string, unknown>)[n], n).to.equal('function');
    }
  });

  test('testHostnameRes', function* () {
    const hostname = socket.gethostname();
    let ip: string;
    try {
      ip = yield* socket.gethostbyname(hostname);
    } catch (e) {
      if (e instanceof socket.OSError) return; // name lookup not set up here: CPython skips too
      throw e;
    }
    expect(ip).to.include('.');
    let hname: string;
    let aliases: string[];
    try {
      [hname, aliases] = yield* socket.gethostbyaddr(ip);
    } catch (e) {
      if (e instanceof socket.OSError) return;
      throw e;
    }
    const fqhn = yield* socket.getfqdn(ip);
    expect([hostname, hname, ...aliases]).to.include(fqhn);
  });

  test('test_host_resolution', function* () {
    for (const addr of [HOST, '10.0.0.1', '255.255.255.255']) expect(yield* socket.gethostbyname(addr)).to.equal(addr);
    expect((yield* socket.gethostbyaddr(HOST))[2]).to.include(HOST);
  });

  test('test_host_resolution_bad_address', function* () {
    for (const addr of ['0.1.1.~1', '1+.1.1.1', '::1q', '::1::2', '1:1:1:1:1:1:1:1:1']) {
      yield* raises(socket.OSError, () => socket.gethostbyname(addr));
      yield* raises(socket.OSError, () => socket.gethostbyaddr(addr));
    }
  });

  test('test_sethostname', function* () {
    const sethostname = socket.sethostname;
    const old = socket.gethostname();
    try {
      sethostname(old);
    } catch (e) {
      // Not root (EPERM): CPython skips the rest the same way. Any other
      // error is the test's (ENOSYS from a backend without sethostname: see `optional`).
      if ((e as socket.OSError).errno !== EPERM) throw e;
      return;
    }
    // CPython's test renames the machine to 'new' and 'bar' and back. Tests
    // here run as root on shared machines, where a renamed host would be
    // seen by everything else running: the port sets only the name the
    // machine has (as str and as bytes) and checks a name the kernel
    // refuses (longer than HOST_NAME_MAX, EINVAL) the same way, so the
    // kernel call and its error path are both exercised and the name never
    // changes.
    try {
      sethostname(Buffer.from(old));
      expect(socket.gethostname()).to.equal(old);
      const tooLong = 'x'.repeat(65);
      let errno: number | undefined;
      try {
        sethostname(tooLong);
      } catch (e) {
        errno = (e as socket.OSError).errno;
      }
      expect(errno, 'a name longer than the kernel keeps').to.equal(EINVAL);
    } finally {
      if (socket.gethostname() !== old) sethostname(old);
    }
    expect(socket.gethostname(), 'the host name is unchanged').to.equal(old);
  }, { optional: 'sethostname' });

  test('testInterfaceNameIndex', function* () {
    for (const [index, name] of socket.if_nameindex()) {
      expect(index).to.be.a('number').greaterThan(0);
      expect(name).to.be.a('string');
      expect(socket.if_nametoindex(name)).to.equal(index);
      expect(socket.if_indextoname(index)).to.equal(name);
    }
  });

  test('testInvalidInterfaceIndexToName', function* () {
    raisesNow(socket.OSError, () => socket.if_indextoname(0));
    raisesNow(TypeError, () => socket.if_indextoname('_DEADBEEF' as unknown as number));
  });

  test('testInvalidInterfaceNameToIndex', function* () {
    raisesNow(TypeError, () => socket.if_nametoindex(0 as unknown as string));
    raisesNow(socket.OSError, () => socket.if_nametoindex('_DEADBEEF'));
  });

  cannot('testRefCountGetNameInfo', 'reference counts (sys.getrefcount) do not exist in JavaScript');

  test('testInterpreterCrash', function* () {
    try {
      yield* socket.getnameinfo(['x', 0, 0, 0], 0);
    } catch (e) {
      expect(e).to.be.instanceOf(socket.OSError);
    }
  });

  test('testNtoH', function* () {
    const sizes: [(x: number) => number, number][] = [
      [socket.htonl, 32],
      [socket.ntohl, 32],
      [socket.htons, 16],
      [socket.ntohs, 16],
    ];
    for (const [func, size] of sizes) {
      const mask = 2 ** size - 1;
      // Python's `i & mask` on its unbounded integers, for the non-negative results these are.
      const and = (i: number): number => Number(BigInt(i) & BigInt(mask));
      for (const i of [0, 1, 0xffff, ~0xffff, 2, 0x01234567, 0x76543210]) {
        expect(and(func(func(and(i))))).to.equal(and(i));
      }
      expect(and(func(mask))).to.equal(mask);
      raisesNow(socket.OverflowError, () => func(2 ** 34));
    }
  });

  test('testNtoHErrors', function* () {
    const INT_MIN = -(2 ** 31);
    const INT_MAX = 2 ** 31 - 1;
    const sGood = [0, 1, 2, 0xffff];
    const lGood = [...sGood, 0xffffffff];
    const lBad = [-1, -2, 2 ** 32, 2 ** 1000];
    const sBad = [...lBad, INT_MIN - 1, INT_MAX + 1, 2 ** 16, INT_MAX];
    for (const k of sGood) {
      socket.ntohs(k);
      socket.htons(k);
    }
    for (const k of lGood) {
      socket.ntohl(k);
      socket.htonl(k);
    }
    for (const k of sBad) {
      raisesNow(socket.OverflowError, () => socket.ntohs(k));
      raisesNow(socket.OverflowError, () => socket.htons(k));
    }
    for (const k of lBad) {
      raisesNow(socket.OverflowError, () => socket.ntohl(k));
      raisesNow(socket.OverflowError, () => socket.htonl(k));
    }
  });

  test('testGetServBy', function* () {
    let service = '';
    let port = -1;
    for (const s of ['daytime', 'qotd', 'domain']) {
      try {
        port = socket.getservbyname(s, 'tcp');
        service = s;
        break;
      } catch (e) {
        expect(e).to.be.instanceOf(socket.OSError);
      }
    }
    expect(service, 'no known service in the services database').not.to.equal('');
    const port2 = socket.getservbyname(service);
    expect(port2).to.equal(port);
    let udpport: number | null = null;
    try {
      udpport = socket.getservbyname(service, 'udp');
      expect(udpport).to.equal(port);
    } catch (e) {
      expect(e).to.be.instanceOf(socket.OSError);
    }
    expect(socket.getservbyport(port2)).to.equal(service);
    expect(socket.getservbyport(port, 'tcp')).to.equal(service);
    if (udpport !== null) expect(socket.getservbyport(udpport, 'udp')).to.equal(service);
    raisesNow(socket.OverflowError, () => socket.getservbyport(-1));
    raisesNow(socket.OverflowError, () => socket.getservbyport(65536));
  });

  test('testDefaultTimeout', function* () {
    expect(socket.getdefaulttimeout()).to.equal(null);
    let s = new socket.socket();
    expect(s.gettimeout()).to.equal(null);
    s.close();
    socket.setdefaulttimeout(10);
    try {
      expect(socket.getdefaulttimeout()).to.equal(10);
      s = new socket.socket();
      expect(s.gettimeout()).to.equal(10);
      s.close();
      socket.setdefaulttimeout(null);
      expect(socket.getdefaulttimeout()).to.equal(null);
      s = new socket.socket();
      expect(s.gettimeout()).to.equal(null);
      s.close();
    } finally {
      socket.setdefaulttimeout(null);
    }
    raisesNow(ValueError, () => socket.setdefaulttimeout(-1));
    raisesNow(TypeError, () => socket.setdefaulttimeout('spam' as unknown as number));
  });
});
