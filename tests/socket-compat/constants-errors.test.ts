// The module's constants against CPython's on this machine, and the
// exception classes: CPython's choice of OSError subclass by errno, the
// aliases, and errors built from a message alone (errno None).
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { OSError as RuntimeOSError, TimeoutError as RuntimeTimeoutError, ValueError } from '@stackless-io/runtime';
import { needPython, pythonJson, raisesNow, expectError } from './helpers.js';

// Plain ints and enum members (AF_INET...) alike: a member's int is compared here, its repr in module-surface.test.ts.
const NAMES = Object.keys(socket).filter((k) => {
  const v = (socket as Record<string, unknown>)[k];
  return /^[A-Z][A-Z0-9_]*$/.test(k) && (typeof v === 'number' || v instanceof socket.IntEnum);
});

describe('socket-compat: constants and exceptions', function () {
  it(`every constant (${NAMES.length}) has CPython's value here`, function () {
    needPython(this);
    const py = pythonJson<Record<string, number | null>>(
      `import json, socket; print(json.dumps({n: (int(getattr(socket, n)) if hasattr(socket, n) else None) for n in ${JSON.stringify(NAMES)}}))`,
    );
    const ours = Object.fromEntries(NAMES.map((n) => [n, Number((socket as unknown as Record<string, number>)[n])]));
    const missingInPython = NAMES.filter((n) => py[n] === null);
    expect(missingInPython, 'constants CPython does not have').to.deep.equal([]);
    expect(ours).to.deep.equal(py);
  });

  it('the names CPython programs use most are all there', function () {
    for (const n of ['AF_INET', 'AF_INET6', 'AF_UNIX', 'SOCK_STREAM', 'SOCK_DGRAM', 'SOL_SOCKET', 'SO_REUSEADDR', 'SO_ERROR', 'IPPROTO_TCP', 'TCP_NODELAY', 'MSG_PEEK', 'SHUT_RDWR', 'AI_PASSIVE', 'NI_NUMERICHOST', 'EAI_NONAME', 'SOMAXCONN', 'INADDR_ANY']) {
      expect(socket, n).to.have.property(n);
    }
    expect(socket.has_ipv6).to.equal(true);
  });

  it('errorFor() picks the class from errno as CPython does, with strerror texts', function () {
    const cases: [number, string, string][] = [
      [11, 'BlockingIOError', 'Resource temporarily unavailable'],
      [114, 'BlockingIOError', 'Operation already in progress'],
      [115, 'BlockingIOError', 'Operation now in progress'],
      [10, 'ChildProcessError', 'No child processes'],
      [32, 'BrokenPipeError', 'Broken pipe'],
      [108, 'BrokenPipeError', 'Cannot send after transport endpoint shutdown'],
      [103, 'ConnectionAbortedError', 'Software caused connection abort'],
      [111, 'ConnectionRefusedError', 'Connection refused'],
      [104, 'ConnectionResetError', 'Connection reset by peer'],
      [17, 'FileExistsError', 'File exists'],
      [2, 'FileNotFoundError', 'No such file or directory'],
      [21, 'IsADirectoryError', 'Is a directory'],
      [20, 'NotADirectoryError', 'Not a directory'],
      [4, 'InterruptedError', 'Interrupted system call'],
      [13, 'PermissionError', 'Permission denied'],
      [1, 'PermissionError', 'Operation not permitted'],
      [3, 'ProcessLookupError', 'No such process'],
      [110, 'TimeoutError', 'Connection timed out'],
      [107, 'OSError', 'Transport endpoint is not connected'],
      [99, 'OSError', 'Cannot assign requested address'],
    ];
    for (const [n, name, text] of cases) {
      const e = socket.errorFor(n);
      expect([e.name, e.message, e.errno, e.strerror], `errno ${n}`).to.deep.equal([name, `[Errno ${n}] ${text}`, n, text]);
      expect(e).to.be.instanceOf(RuntimeOSError);
    }
    expect(socket.errorFor(115).code).to.equal('EINPROGRESS');
    expect(socket.errorFor(-111)).to.be.instanceOf(socket.ConnectionRefusedError);
  });

  it('the aliases and the hierarchy: error is OSError, timeout is TimeoutError, gaierror and herror are OSErrors', function () {
    expect(socket.error).to.equal(socket.OSError);
    expect(socket.OSError).to.equal(RuntimeOSError);
    expect(socket.timeout).to.equal(socket.TimeoutError);
    expect(socket.TimeoutError).to.equal(RuntimeTimeoutError);
    expect(new socket.gaierror(-2, 'x')).to.be.instanceOf(socket.OSError);
    expect(new socket.herror(1, 'x')).to.be.instanceOf(socket.OSError);
    expect(new socket.BrokenPipeError(32)).to.be.instanceOf(socket.ConnectionError);
    expect(new socket.UnicodeDecodeError('x')).to.be.instanceOf(ValueError);
    expect(new socket.UnsupportedOperation(0)).to.be.instanceOf(socket.OSError);
    expect(String(new socket.gaierror(-2, 'Name or service not known'))).to.equal('gaierror: [Errno -2] Name or service not known');
  });

  it('htons and friends: bad input raises as CPython (spot checks; the full table runs against python3 in inet.test)', function () {
    expectError(raisesNow(() => socket.htons(70000)), 'OverflowError', 'htons: Python int too large to convert to C 16-bit unsigned integer');
    expectError(raisesNow(() => socket.htonl(-1)), 'OverflowError', "can't convert negative value to unsigned int");
    expect([socket.htons(1), socket.ntohs(256), socket.htonl(1), socket.ntohl(0x01000000)]).to.deep.equal([256, 1, 0x01000000, 1]);
  });
});
