// TestExceptions of CPython's test_socket (the exception hierarchy), and
// TestLazyImport, listed as not expressible.
import { expect } from 'chai';
import * as socket from '@stackless-io/socket-compat';
import { testClass } from './frame.js';
import { raisesNow } from './support.js';

testClass('TestExceptions', ({ test }) => {
  test('testExceptionTree', function* () {
    expect(socket.OSError.prototype).to.be.instanceOf(Error);
    expect(socket.herror.prototype).to.be.instanceOf(socket.OSError);
    expect(socket.gaierror.prototype).to.be.instanceOf(socket.OSError);
    expect(socket.timeout.prototype).to.be.instanceOf(socket.OSError);
    expect(socket.error).to.equal(socket.OSError);
    expect(socket.timeout).to.equal(socket.TimeoutError);
  });

  test('test_setblocking_invalidfd', function* () {
    const sock0 = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0);
    const sock = new socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, sock0.fileno());
    sock0.close();
    try {
      raisesNow(socket.OSError, () => sock.setblocking(false));
    } finally {
      sock.detach();
    }
  });
});

testClass('TestLazyImport', ({ cannot }) => {
  cannot('test_lazy_import', "it checks which modules CPython's import of socket loads lazily (array, selectors): Python's import machinery has no counterpart here");
});
