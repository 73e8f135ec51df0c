/*
 * Hand-written TCP echo server: one thread, epoll, edge-triggered,
 * nonblocking sockets. The speed reference for the echo benchmark.
 *
 * usage: c-epoll-server [-p port] [-h host] [-t max_seconds]
 * Prints "listening <port>" on stdout once it accepts connections; exits
 * after max_seconds (default 600) so a forgotten server does not linger.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384

struct conn {
  int fd;
  char *pend;      /* bytes read but not yet written back */
  size_t plen, pcap, poff;
};

static void conn_close(int ep, struct conn *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->pend);
  free(c);
}

/* Writes what is pending; 0: all written, 1: blocked (EAGAIN), -1: error. */
static int flush_pending(struct conn *c) {
  while (c->poff < c->plen) {
    ssize_t w = send(c->fd, c->pend + c->poff, c->plen - c->poff, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 1 : -1;
    }
    c->poff += (size_t)w;
  }
  c->plen = c->poff = 0;
  return 0;
}

static int queue_pending(struct conn *c, const char *p, size_t n) {
  if (c->plen + n > c->pcap) {
    size_t cap = c->pcap ? c->pcap : BUF;
    while (cap < c->plen + n) cap *= 2;
    char *np = realloc(c->pend, cap);
    if (!np) return -1;
    c->pend = np;
    c->pcap = cap;
  }
  memcpy(c->pend + c->plen, p, n);
  c->plen += n;
  return 0;
}

/* Reads until EAGAIN, echoing each chunk. Returns -1 when the connection ends. */
static int on_io(struct conn *c) {
  static char buf[BUF];
  if (c->plen > c->poff) {
    int r = flush_pending(c);
    if (r < 0) return -1;
    if (r > 0) return 0; /* still blocked: do not read more (backpressure) */
  }
  for (;;) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 0 : -1;
    }
    size_t off = 0;
    while (off < (size_t)n) {
      ssize_t w = send(c->fd, buf + off, (size_t)n - off, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -1;
        /* Kernel buffer full: keep the rest and wait for EPOLLOUT. With
           edge-triggered epoll the socket stays readable-armed; the data
           left unread is picked up after the flush. */
        if (queue_pending(c, buf + off, (size_t)n - off) < 0) return -1;
        return 0;
      }
      off += (size_t)w;
    }
  }
}

int main(int argc, char **argv) {
  int port = 0, opt;
  const char *host = "127.0.0.1";
  int max_seconds = 600;
  while ((opt = getopt(argc, argv, "p:h:t:")) != -1) {
    switch (opt) {
      case 'p': port = atoi(optarg); break;
      case 'h': host = optarg; break;
      case 't': max_seconds = atoi(optarg); break;
      default: fprintf(stderr, "usage: c-epoll-server [-p port] [-h host] [-t max_seconds]\n"); return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, host, &sa.sin_addr);
  if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
  if (listen(ls, 4096) < 0) { perror("listen"); return 1; }
  socklen_t sl = sizeof sa;
  getsockname(ls, (struct sockaddr *)&sa, &sl);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.ptr = NULL };
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  printf("listening %d\n", ntohs(sa.sin_port));
  fflush(stdout);

  struct epoll_event evs[1024];
  time_t deadline = time(NULL) + max_seconds;
  for (;;) {
    int n = epoll_wait(ep, evs, 1024, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("epoll_wait");
      return 1;
    }
    if (n == 0 && time(NULL) >= deadline) break;
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c == NULL) {
        for (;;) {
          int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            break; /* EAGAIN, or EMFILE: try again on the next edge */
          }
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *nc = calloc(1, sizeof *nc);
          if (!nc) { close(fd); continue; }
          nc->fd = fd;
          struct epoll_event cev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = nc };
          if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0) { close(fd); free(nc); continue; }
        }
        continue;
      }
      if (evs[i].events & (EPOLLERR | EPOLLHUP)) { conn_close(ep, c); continue; }
      if (on_io(c) < 0) { conn_close(ep, c); continue; }
    }
  }
  return 0;
}
