// The one backend conformance suite: every case group, in order. A backend
// passes when all of them pass on it; the list is written once and run on
// every backend (libuv's test-list.h).
import { acceptNowCases } from './cases/accept-now.js';
import { allocRecvCases } from './cases/alloc-recv.js';
import { backpressureCases } from './cases/backpressure.js';
import { badInputCases } from './cases/bad-input.js';
import { cancelCases } from './cases/cancel.js';
import { connectCases } from './cases/connect.js';
import { connectionErrorCases } from './cases/connection-errors.js';
import { drainedCases } from './cases/drained.js';
import { echoCases } from './cases/echo.js';
import { genericOptionCases } from './cases/generic-options.js';
import { inheritableCases } from './cases/inheritable.js';
import { messageCases } from './cases/messages.js';
import { sendfileCases } from './cases/sendfile.js';
import { sethostnameCases } from './cases/sethostname.js';
import { kindCases } from './cases/kinds.js';
import { capacityCases, manyCases, udpCapacityCases } from './cases/many.js';
import { nowaitCases } from './cases/nowait.js';
import { optionCases } from './cases/options.js';
import { pairCases } from './cases/pairs.js';
import { timeoutCases } from './cases/timeouts.js';
import { udpCases } from './cases/udp.js';

/** Defines every conformance test for the backend `name` (inside its describe). */
export const SUITE: readonly ((name: string) => void)[] = [
  connectCases,
  echoCases,
  drainedCases,
  allocRecvCases,
  backpressureCases,
  connectionErrorCases,
  udpCases,
  cancelCases,
  timeoutCases,
  nowaitCases,
  optionCases,
  genericOptionCases,
  pairCases,
  kindCases,
  inheritableCases,
  messageCases,
  sendfileCases,
  sethostnameCases,
  manyCases,
  acceptNowCases,
  capacityCases,
  udpCapacityCases,
  badInputCases,
];
