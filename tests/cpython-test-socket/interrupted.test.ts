// InterruptedRecvTimeoutTest and InterruptedSendTimeoutTest of CPython's
// test_socket: a SIGALRM handler that raises inside a blocked call with a
// timeout. JavaScript has no counterpart: Node runs signal handlers between
// event loop turns and they cannot raise into a waiting call, so each test
// is listed with that reason.
import { testClass } from './frame.js';

const REASON = 'a signal handler (SIGALRM) raising inside a blocked call has no JavaScript counterpart: Node runs signal handlers between event loop turns';

testClass('InterruptedRecvTimeoutTest', ({ cannot }) => {
  for (const m of ['Recv', 'RecvInto', 'Recvfrom', 'RecvfromInto', 'Recvmsg', 'RecvmsgInto']) cannot(`testInterrupted${m}Timeout`, REASON);
});

testClass('InterruptedSendTimeoutTest', ({ cannot }) => {
  for (const m of ['Send', 'Sendto', 'Sendmsg']) cannot(`testInterrupted${m}Timeout`, REASON);
});
