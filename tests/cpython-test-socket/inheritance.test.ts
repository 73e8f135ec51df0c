// InheritanceTest and NonblockConstantTest of CPython's test_socket:
// close-on-exec and SOCK_NONBLOCK/SOCK_CLOEXEC. Where CPython reads the
// descriptor's flags with fcntl, the port reads /proc/self/fdinfo (Node has
// no fcntl); the O_NONBLOCK flag is not compared, since every descriptor is
// non-blocking here by design (a waiting tasklet must not block the process).
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { testClass, type Ctx } from './frame.js';
import { O_CLOEXEC, fdFlags } from './support.js';

/** True when `fileno()` is a descriptor of this process (the native backends'); else the flags cannot be read. */
function ownDescriptor(c: Ctx): boolean {
  return c.native;
}

testClass('InheritanceTest', ({ test, cannot }) => {
  test('test_SOCK_CLOEXEC', function* () {
    const s = new socket.socket(socket.AF_INET, +socket.SOCK_STREAM | +socket.SOCK_CLOEXEC);
    try {
      expect(s.type).to.equal(socket.SOCK_STREAM);
      expect(s.get_inheritable()).to.equal(false);
    } finally {
      s.close();
    }
  });

  test('test_default_inheritable', function* () {
    const s = new socket.socket();
    try {
      expect(s.get_inheritable()).to.equal(false);
    } finally {
      s.close();
    }
  });

  test('test_dup', function* () {
    const sock = new socket.socket();
    const newsock = sock.dup();
    sock.close();
    try {
      expect(newsock.get_inheritable()).to.equal(false);
    } finally {
      newsock.close();
    }
  });

  test('test_set_inheritable', function* () {
    const s = new socket.socket();
    try {
      s.set_inheritable(true);
      expect(s.get_inheritable()).to.equal(true);
      s.set_inheritable(false);
      expect(s.get_inheritable()).to.equal(false);
    } finally {
      s.close();
    }
  });

  cannot('test_get_inheritable_cloexec', 'it clears FD_CLOEXEC behind the socket with fcntl(F_SETFD), which Node does not offer');

  test('test_set_inheritable_cloexec', function* (c) {
    const s = new socket.socket();
    try {
      const fd = s.fileno();
      if (ownDescriptor(c)) expect(fdFlags(fd) & O_CLOEXEC).to.equal(O_CLOEXEC);
      s.set_inheritable(true);
      if (ownDescriptor(c)) expect(fdFlags(fd) & O_CLOEXEC).to.equal(0);
      else expect(s.get_inheritable()).to.equal(true);
    } finally {
      s.close();
    }
  });

  test('test_socketpair', function* () {
    const [s1, s2] = yield* socket.socketpair();
    try {
      expect(s1.get_inheritable()).to.equal(false);
      expect(s2.get_inheritable()).to.equal(false);
    } finally {
      s1.close();
      s2.close();
    }
  });
});

function checkNonblock(s: socket.socket, nonblock = true, timeout = 0): void {
  expect(s.type).to.equal(socket.SOCK_STREAM);
  if (nonblock) {
    expect(s.gettimeout()).to.equal(timeout);
    expect(s.getblocking()).to.equal(timeout !== 0);
  } else {
    expect(s.gettimeout()).to.equal(null);
    expect(s.getblocking()).to.equal(true);
  }
}

testClass('NonblockConstantTest', ({ test }) => {
  test('test_SOCK_NONBLOCK', function* () {
    const s = new socket.socket(socket.AF_INET, +socket.SOCK_STREAM | +socket.SOCK_NONBLOCK);
    try {
      checkNonblock(s);
      s.setblocking(true);
      checkNonblock(s, false);
      s.setblocking(false);
      checkNonblock(s);
      s.settimeout(null);
      checkNonblock(s, false);
      s.settimeout(2.0);
      checkNonblock(s, true, 2.0);
      s.setblocking(true);
      checkNonblock(s, false);
    } finally {
      s.close();
    }
    const t = socket.getdefaulttimeout();
    try {
      for (const [dflt, nonblock, timeout] of [
        [0, true, 0],
        [null, false, 0],
        [2.0, true, 2.0],
        [null, false, 0],
      ] as [number | null, boolean, number][]) {
        socket.setdefaulttimeout(dflt);
        const s2 = new socket.socket();
        try {
          checkNonblock(s2, nonblock, timeout);
        } finally {
          s2.close();
        }
      }
    } finally {
      socket.setdefaulttimeout(t);
    }
  });
});
