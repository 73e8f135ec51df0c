// The contract's getInheritable/setInheritable (FD_CLOEXEC of the handle's
// descriptor, as os.get_inheritable/set_inheritable). Sockets start not
// inheritable on every backend; a backend without descriptors of its own
// may refuse to make one inheritable with ENOSYS (the test then skips,
// naming that answer).
import { expect } from 'chai';
import { io } from '@stackless-io/runtime';
import { conformance } from '../harness.js';
import { E } from '../net.js';

export function inheritableCases(name: string): void {
  conformance(name, 'inheritable: a new socket is not; setInheritable turns it on and off', async (t) => {
    const b = t.backend;
    const h = io.socket('inet', 'stream');
    try {
      expect(b.getInheritable(h), 'a new socket').to.equal(0);
      expect(b.setInheritable(h, false), 'not inheritable, again').to.equal(0);
      expect(b.getInheritable(12345), 'a handle not open').to.equal(-E.EBADF);
      expect(b.setInheritable(12345, true), 'a handle not open').to.equal(-E.EBADF);
      const r = b.setInheritable(h, true);
      if (r === -E.ENOSYS) t.cannot('make a socket inheritable', 'ENOSYS');
      expect(r, 'setInheritable(true)').to.equal(0);
      expect(b.getInheritable(h)).to.equal(1);
      expect(b.setInheritable(h, false)).to.equal(0);
      expect(b.getInheritable(h)).to.equal(0);
    } finally {
      io.close(h);
    }
  });
}
