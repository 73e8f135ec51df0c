// sys/event.h of the kqueue emulation (TESTS ONLY, Linux only).
//
// Linux has no kqueue. So that the kqueue shim (native/kqueue.cc) can be
// compiled and exercised on Linux, this header declares kqueue(2)/kevent(2)
// with FreeBSD's constants and struct kevent layout, and kqueue_emu.cc
// implements them over epoll, eventfd and timerfd with the FreeBSD man page's
// semantics for the parts the shim uses. It is never built into anything that
// ships: only into the "kqueue (emulated)" test build of io-kqueue and the
// emulation's own unit tests. See README.md here for what it does and does not
// reproduce.
#ifndef SIO_KQUEUE_EMU_SYS_EVENT_H
#define SIO_KQUEUE_EMU_SYS_EVENT_H

#include <stdint.h>
#include <time.h>

// Tells the code compiled against this header that the kqueue under it is
// the emulation (the shim names itself "kqueue (emulated)" and closes its
// queue through kqueue_emu_close).
#define SIO_KQUEUE_EMULATED 1

// Filters (FreeBSD's numbers).
#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_TIMER (-7)
#define EVFILT_USER (-11)

// Actions and flags.
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_DISPATCH 0x0080
// Returned values.
#define EV_ERROR 0x4000
#define EV_EOF 0x8000

// EVFILT_USER's fflags.
#define NOTE_FFNOP 0x00000000u
#define NOTE_FFAND 0x40000000u
#define NOTE_FFOR 0x80000000u
#define NOTE_FFCOPY 0xc0000000u
#define NOTE_FFCTRLMASK 0xc0000000u
#define NOTE_FFLAGSMASK 0x00ffffffu
#define NOTE_TRIGGER 0x01000000u

// EVFILT_TIMER's units (milliseconds when none is given).
#define NOTE_SECONDS 0x00000001u
#define NOTE_MSECONDS 0x00000002u
#define NOTE_USECONDS 0x00000004u
#define NOTE_NSECONDS 0x00000008u

// FreeBSD 12's layout.
struct kevent {
  uintptr_t ident;
  short filter;
  unsigned short flags;
  unsigned int fflags;
  int64_t data;
  void *udata;
  uint64_t ext[4];
};

#define EV_SET(kevp, a, b, c, d, e, f)  \
  do {                                  \
    struct kevent *kevp_ = (kevp);      \
    kevp_->ident = (a);                 \
    kevp_->filter = (b);                \
    kevp_->flags = (c);                 \
    kevp_->fflags = (d);                \
    kevp_->data = (e);                  \
    kevp_->udata = (f);                 \
    kevp_->ext[0] = kevp_->ext[1] = 0;  \
    kevp_->ext[2] = kevp_->ext[3] = 0;  \
  } while (0)

#ifdef __cplusplus
extern "C" {
#endif

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout);
// The emulation cannot see close(2): a queue is closed with this (it closes
// the epoll fd and the eventfd/timerfds behind it). Returns close's result.
int kqueue_emu_close(int kq);

#ifdef __cplusplus
}
#endif

#endif  // SIO_KQUEUE_EMU_SYS_EVENT_H
