// readiness_only.h: the completion hooks of readiness.h for a poller that
// only reports readiness (epoll.cc, kqueue.cc): it takes no operation over,
// keeps no part of the pool and holds no accepted connection, so every
// operation is done by the core's own system calls; it registers each socket
// once, at adoption. Included by exactly one
// source file of such a shim. Not part of the JS ABI.
#ifndef SIO_READINESS_ONLY_H
#define SIO_READINESS_ONLY_H

#include "readiness.h"

namespace sio::readiness {

bool poller_take(Instance &, FdState &, Op &, uint32_t) { return false; }
void poller_give_back(Instance &, Op &, uint32_t) {}
uint32_t poller_set_pool(Instance &, uint32_t, uint32_t) { return 0; }
void poller_round(Instance &) {}
int poller_accept_first(Instance &, FdState &, bool) { return -1; }
bool poller_holds_accepted(Instance &, const FdState &) { return false; }
// Both register every socket at adoption, edge-triggered for reading.
bool poller_edge_per_arrival() { return true; }

}  // namespace sio::readiness

#endif  // SIO_READINESS_ONLY_H
