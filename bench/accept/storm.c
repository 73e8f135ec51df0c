/*
 * Connection-storm client (Linux, epoll, non-blocking, one thread).
 *
 * Opens N connections to host:port at once (every connect(2) is issued
 * before any answer is read), sends one `size`-byte message on each as soon
 * as it is connected (right after connect(2) when the handshake is done by
 * then, as on loopback, else when it becomes writable), and waits until
 * every connection has its whole echo.
 * Prints one JSON line:
 *   {"conns":..,"done":..,"errors":..,"all_ms":..,"p50_ms":..,"p99_ms":..,
 *    "connect_ms":..}
 * all_ms: from the first connect() to the last echo (the figure the accept
 * benchmark compares); p50_ms/p99_ms: when the echoes arrived, per
 * connection, from the same start; connect_ms: how long issuing the
 * connect() calls took. Connections without their echo by the deadline
 * (-t seconds) count as errors, and the program exits 2.
 *
 * Bounded: N connections, one message each, and the deadline.
 *
 * usage: storm [-h host] -p port [-c conns] [-s size] [-t timeout_s]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  int sent;      /* bytes of the message sent */
  int got;       /* bytes of the echo received */
  int done;      /* 1: echo complete; -1: failed */
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0, n = 1000, size = 64, timeout_s = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "-h")) host = argv[i + 1];
    else if (!strcmp(argv[i], "-p")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-c")) n = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-s")) size = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-t")) timeout_s = atoi(argv[i + 1]);
  }
  if (port <= 0 || n < 1 || size < 1 || size > 65536) {
    fprintf(stderr, "usage: storm [-h host] -p port [-c conns] [-s size] [-t timeout_s]\n");
    return 1;
  }
  /* Room for every connection's fd (the caller's hard limit permitting). */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
    rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    fprintf(stderr, "bad host %s\n", host);
    return 1;
  }
  unsigned char *msg = malloc((size_t)size), *buf = malloc((size_t)size);
  struct conn *cs = calloc((size_t)n, sizeof *cs);
  uint64_t *at = calloc((size_t)n, sizeof *at);
  if (!msg || !buf || !cs || !at) return 1;
  for (int i = 0; i < size; i++) msg[i] = (unsigned char)(i * 7 + 1);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) { perror("epoll_create1"); return 1; }

  uint64_t t0 = now_ns();
  int errors = 0, done = 0;
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cs[i].fd = fd;
    if (fd < 0) { cs[i].done = -1; errors++; continue; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
      close(fd);
      cs[i].fd = -1;
      cs[i].done = -1;
      errors++;
      continue;
    }
    /* The message goes as soon as the connection is up: on loopback the
       handshake usually completes within connect(), so the server meets
       new connections and first messages interleaved, as in a real storm.
       Otherwise (ENOTCONN, EAGAIN) it goes on EPOLLOUT below. */
    ssize_t w = send(fd, msg, (size_t)size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) cs[i].sent = (int)w;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (cs[i].sent < size ? EPOLLOUT : 0), .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  uint64_t t_connect = now_ns();
  uint64_t deadline = t0 + (uint64_t)timeout_s * 1000000000ull;
  struct epoll_event evs[1024];
  while (done + errors < n && now_ns() < deadline) {
    int k = epoll_wait(ep, evs, 1024, 100);
    for (int e = 0; e < k; e++) {
      struct conn *c = &cs[evs[e].data.u32];
      if (c->done != 0) continue;
      if ((evs[e].events & EPOLLOUT) && c->sent < size) {
        ssize_t w = send(c->fd, msg + c->sent, (size_t)(size - c->sent), MSG_NOSIGNAL);
        if (w > 0) c->sent += (int)w;
        else if (w < 0 && errno != EAGAIN) { c->done = -1; errors++; continue; }
        if (c->sent == size) {
          struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = evs[e].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
      if (evs[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          ssize_t r = recv(c->fd, buf, (size_t)(size - c->got), 0);
          if (r > 0) {
            c->got += (int)r;
            if (c->got < size) continue;
            c->done = 1;
            at[done++] = now_ns() - t0;
            break;
          }
          if (r < 0 && errno == EAGAIN) break;
          /* EOF or an error before the whole echo. */
          c->done = -1;
          errors++;
          break;
        }
      }
    }
  }
  uint64_t t_end = now_ns();
  for (int i = 0; i < n; i++) {
    if (cs[i].done == 0) errors++;
    if (cs[i].fd < 0) continue;
    /* A reset, not a FIN: no TIME_WAIT left behind, so round after round of
       10,000 connections never runs out of ephemeral ports. */
    struct linger lg = {1, 0};
    setsockopt(cs[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(cs[i].fd);
  }
  qsort(at, (size_t)done, sizeof *at, cmp_u64);
  double all_ms = done > 0 ? at[done - 1] / 1e6 : (t_end - t0) / 1e6;
  double p50 = done > 0 ? at[(size_t)((done - 1) * 0.5)] / 1e6 : 0;
  double p99 = done > 0 ? at[(size_t)((done - 1) * 0.99)] / 1e6 : 0;
  printf("{\"conns\":%d,\"done\":%d,\"errors\":%d,\"all_ms\":%.2f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"connect_ms\":%.2f}\n", n,
         done, errors, all_ms, p50, p99, (t_connect - t0) / 1e6);
  return errors > 0 ? 2 : 0;
}
