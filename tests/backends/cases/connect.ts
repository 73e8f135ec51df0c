// accept/connect over every loopback family: both ends agree on addresses
// and bytes flow both ways.
import { expect } from 'chai';
import { io, spawn, type Family } from '@stackless-io/runtime';
import { conformance, joinAll } from '../harness.js';
import { listener, recvAll, recvExactly, sameAddr, str, text } from '../net.js';

const FAMILIES: [Family, string][] = [
  ['inet', 'IPv4 loopback'],
  ['inet6', 'IPv6 loopback'],
  ['unix', 'a Unix-domain stream socket in a temp dir'],
];

export function connectCases(name: string): void {
  for (const [family, what] of FAMILIES) {
    conformance(name, `accept/connect over ${what}: addresses agree, bytes flow both ways`, async (t) => {
      const { lst, addr } = listener(t, family);
      const cli = io.socket(family, 'stream');
      const server = spawn(function* server() {
        const { handle, addr: peer } = yield* io.accept(lst);
        try {
          const got = str(yield* recvExactly(handle, 4));
          yield* io.sendAll(handle, text('pong'));
          return { peer, got, local: io.getsockname(handle), remote: io.getpeername(handle) };
        } finally {
          io.close(handle);
        }
      });
      const client = spawn(function* client() {
        try {
          yield* io.connect(cli, addr);
          const local = io.getsockname(cli);
          const remote = io.getpeername(cli);
          yield* io.sendAll(cli, text('ping'));
          // The server closes after its reply: read to EOF.
          const reply = str(yield* recvAll(cli, 4));
          return { local, remote, reply };
        } finally {
          io.close(cli);
        }
      });
      const [s, c] = await joinAll(server, client);
      io.close(lst);
      expect(s.got, 'server received').to.equal('ping');
      expect(c.reply, 'client received').to.equal('pong');
      expect(addr.family).to.equal(family);
      if (addr.family === 'inet' || addr.family === 'inet6') expect(addr.port, 'bound port').to.be.greaterThan(0);
      expect(sameAddr(c.remote, addr), `client's peer ${JSON.stringify(c.remote)} is the listener ${JSON.stringify(addr)}`).to.equal(true);
      expect(sameAddr(s.local, addr), `accepted socket's name ${JSON.stringify(s.local)} is the listener's`).to.equal(true);
      expect(sameAddr(s.peer, c.local), `accept's peer ${JSON.stringify(s.peer)} is the client ${JSON.stringify(c.local)}`).to.equal(true);
      expect(sameAddr(s.remote, c.local), `accepted socket's peer ${JSON.stringify(s.remote)} is the client`).to.equal(true);
      if (family === 'unix') expect(c.local, 'an unbound Unix client has an empty name').to.deep.equal({ family: 'unix', path: '' });
    });
  }
}
