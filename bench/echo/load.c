/*
 * Closed-loop TCP load generator (Linux, epoll, nonblocking, one thread).
 *
 * N connections to host:port; each sends a request of `size` bytes and waits
 * for the whole echoed response before sending the next. Once every
 * connection has had its first response (the ramp: accepting N connections
 * is part of a server's job, but not of its steady state), it warms up for
 * `warmup` seconds, then measures for `duration` seconds and prints one
 * JSON line:
 *   {"conns":..,"size":..,"requests":..,"req_per_s":..,"p50_us":..,
 *    "p99_us":..,"p999_us":..,"max_us":..,"errors":..,"connected":..,
 *    "ramp_ms":..,"total_requests":..,"client_cpu_pct":..}
 * ramp_ms: from the first connect() to the last connection's first
 * response. Connections without one by the setup deadline (-t, 15 s) are
 * counted as errors. total_requests: every response, ramp and warm-up included.
 * client_cpu_pct: this process's CPU use during the measurement (near 100:
 * the load generator, not the server, limits the rate).
 *
 * Every loop is bounded: connection setup by a deadline, the run by
 * warm-up + duration, and the request count by --max-requests.
 *
 * usage: load [-h host] -p port [-c conns] [-s size] [-d seconds]
 *             [-w warmup_seconds] [-m max_requests] [-t setup_timeout_s]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536
/* Latency histogram: 100 ns buckets up to 200 ms, then one overflow bucket. */
#define BUCKET_NS 100
#define NBUCKETS 2000000

enum { CONNECTING, ACTIVE, DEAD };

struct conn {
  int fd;
  int state;
  uint32_t sent;      /* bytes of the current request sent */
  uint32_t got;       /* bytes of the current response received */
  uint64_t seq;       /* request number on this connection */
  uint64_t t0;        /* when the current request started (ns) */
  int want_out;       /* EPOLLOUT is in the interest set (a send was short) */
};

static uint32_t *hist;
static uint64_t overflow_count;
static uint64_t max_ns;
static int size = 64;
static unsigned char *reqbuf, *rspbuf;

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The request bytes: a pattern that changes with the connection and the
   request, so a server that mixes streams or replays old data is caught. */
static inline unsigned char pattern(int idx, uint64_t seq, uint32_t i) {
  return (unsigned char)(idx * 31 + seq * 7 + i);
}

static void fill(unsigned char *buf, int idx, uint64_t seq) {
  for (int i = 0; i < size; i++) buf[i] = pattern(idx, seq, (uint32_t)i);
}

/* Checks n received bytes that belong at offset `off` of the response. */
static int check(const unsigned char *p, size_t n, int idx, uint64_t seq, uint32_t off) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != pattern(idx, seq, off + (uint32_t)i)) return -1;
  return 0;
}

static double pct(uint64_t total, double p) {
  if (total == 0) return 0;
  uint64_t want = (uint64_t)(p * (double)total);
  if (want >= total) want = total - 1;
  uint64_t acc = 0;
  for (int i = 0; i < NBUCKETS; i++) {
    acc += hist[i];
    if (acc > want) return (i + 0.5) * BUCKET_NS / 1000.0;
  }
  return max_ns / 1000.0;
}

static void usage(void) {
  fprintf(stderr, "usage: load [-h host] -p port [-c conns] [-s size] [-d seconds] [-w warmup] [-m max_requests] [-t setup_timeout]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0, nconns = 1;
  double duration = 5, warmup = 1, setup_timeout = 15;
  uint64_t max_requests = 100000000ull;
  int opt;
  while ((opt = getopt(argc, argv, "h:p:c:s:d:w:m:t:")) != -1) {
    switch (opt) {
      case 'h': host = optarg; break;
      case 'p': port = atoi(optarg); break;
      case 'c': nconns = atoi(optarg); break;
      case 's': size = atoi(optarg); break;
      case 'd': duration = atof(optarg); break;
      case 'w': warmup = atof(optarg); break;
      case 'm': max_requests = strtoull(optarg, NULL, 10); break;
      case 't': setup_timeout = atof(optarg); break;
      default: usage();
    }
  }
  if (port <= 0 || port > 65535 || nconns < 1 || nconns > 15000 || size < 1 || size > MAX_SIZE || duration <= 0 ||
      duration > 600 || warmup < 0 || warmup > 60)
    usage();

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nconns + 16) {
    rl.rlim_cur = rl.rlim_max < (rlim_t)nconns + 16 ? rl.rlim_max : (rlim_t)nconns + 16;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  hist = calloc(NBUCKETS, sizeof *hist);
  reqbuf = malloc(size);
  rspbuf = malloc(MAX_SIZE);
  struct conn *conns = calloc(nconns, sizeof *conns);
  if (!hist || !reqbuf || !rspbuf || !conns) { perror("alloc"); return 1; }

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", host); return 2; }

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) { perror("epoll_create1"); return 1; }

  uint64_t errors = 0;
  int connected = 0, alive = 0, answered = 0;
  uint64_t ramp_ns = 0;
  for (int i = 0; i < nconns; i++) {
    struct conn *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) { errors++; c->state = DEAD; continue; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
    if (r < 0 && errno != EINPROGRESS) { errors++; close(c->fd); c->state = DEAD; continue; }
    c->state = CONNECTING;
    struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)i };
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    alive++;
  }

  int maxev = nconns < 1024 ? nconns : 1024;
  struct epoll_event *evs = calloc(maxev, sizeof *evs);

  uint64_t start = now_ns();
  uint64_t setup_deadline = start + (uint64_t)(setup_timeout * 1e9);
  uint64_t t_measure = 0, t_end = 0; /* set once every connection is up */
  uint64_t measured = 0, total = 0;
  int measuring = 0;
  double cpu_at_measure = 0;

/* Sends what the kernel takes of the current request (the bytes are
   regenerated, as reqbuf is shared); watches EPOLLOUT only while a send is
   short. The response is read meanwhile, so a large message cannot deadlock. */
#define SEND_MORE(c, idx)                                                                  \
  do {                                                                                     \
    if ((c)->sent < (uint32_t)size) {                                                      \
      fill(reqbuf, (idx), (c)->seq);                                                       \
      ssize_t w_ = send((c)->fd, reqbuf + (c)->sent, size - (c)->sent, MSG_NOSIGNAL);      \
      if (w_ < 0 && errno != EAGAIN) goto fail;                                            \
      if (w_ > 0) (c)->sent += (uint32_t)w_;                                               \
    }                                                                                      \
    int out_ = (c)->sent < (uint32_t)size;                                                 \
    if (out_ != (c)->want_out) {                                                           \
      struct epoll_event e_ = { .events = EPOLLIN | (out_ ? EPOLLOUT : 0), .data.u32 = (uint32_t)(idx) }; \
      epoll_ctl(ep, EPOLL_CTL_MOD, (c)->fd, &e_);                                          \
      (c)->want_out = out_;                                                                \
    }                                                                                      \
  } while (0)

  for (;;) {
    uint64_t t = now_ns();
    if (!t_end && (answered >= alive || t >= setup_deadline)) {
      /* Connections still not answered at the deadline count as errors. */
      ramp_ns = t - start;
      for (int i = 0; i < nconns; i++)
        if (conns[i].state == CONNECTING || (conns[i].state != DEAD && conns[i].seq == 0)) {
          errors++;
          close(conns[i].fd);
          conns[i].state = DEAD;
          alive--;
        }
      t_measure = t + (uint64_t)(warmup * 1e9);
      t_end = t_measure + (uint64_t)(duration * 1e9);
    }
    if (t_end && !measuring && t >= t_measure) {
      measuring = 1;
      measured = 0;
      memset(hist, 0, NBUCKETS * sizeof *hist);
      overflow_count = 0;
      max_ns = 0;
      t_measure = t;
      t_end = t + (uint64_t)(duration * 1e9);
      cpu_at_measure = cpu_seconds();
    }
    if (t_end && t >= t_end) break;
    if (alive == 0) break;
    if (total >= max_requests) break;
    int timeout_ms = 10;
    int n = epoll_wait(ep, evs, maxev, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("epoll_wait");
      return 1;
    }
    for (int k = 0; k < n; k++) {
      int idx = (int)evs[k].data.u32;
      struct conn *c = &conns[idx];
      if (c->state == DEAD) continue;
      if (c->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) goto fail;
        connected++;
        c->state = ACTIVE;
        c->seq = 0;
        c->sent = c->got = 0;
        c->want_out = 1; /* registered for EPOLLOUT while connecting */
        c->t0 = now_ns();
        SEND_MORE(c, idx);
        continue;
      }
      if ((evs[k].events & EPOLLOUT) && c->sent < (uint32_t)size) SEND_MORE(c, idx);
      if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      /* Read what is there (level-triggered): at most the rest of the
         current response, as the next request is not sent yet. */
      for (;;) {
        ssize_t r = recv(c->fd, rspbuf, (size_t)(size - c->got), 0);
        if (r == 0) { errno = ECONNRESET; goto fail; }
        if (r < 0) {
          if (errno == EAGAIN) break;
          goto fail;
        }
        if (c->got + (uint32_t)r > c->sent || check(rspbuf, (size_t)r, idx, c->seq, c->got) < 0) {
          errno = EPROTO; /* more than was sent, or wrong bytes */
          goto fail;
        }
        c->got += (uint32_t)r;
        if (c->got < (uint32_t)size) continue;
        /* One full response. */
        uint64_t t1 = now_ns();
        total++;
        if (c->seq == 0) answered++;
        if (measuring && t1 <= t_end) {
          uint64_t d = t1 - c->t0;
          uint64_t b = d / BUCKET_NS;
          if (b < NBUCKETS) hist[b]++; else overflow_count++;
          if (d > max_ns) max_ns = d;
          measured++;
        }
        c->seq++;
        c->sent = c->got = 0;
        c->t0 = t1;
        SEND_MORE(c, idx);
        break;
      }
      continue;
    fail:
      errors++;
      close(c->fd);
      c->state = DEAD;
      alive--;
    }
  }
  uint64_t t_stop = now_ns();
  double client_cpu = measuring ? cpu_seconds() - cpu_at_measure : 0;
  if (!measuring) { t_measure = t_stop; }
  double secs = (double)(t_stop - t_measure) / 1e9;
  if (secs <= 0) secs = 1e-9;
  uint64_t in_hist = measured - overflow_count;
  (void)in_hist;
  printf("{\"conns\":%d,\"size\":%d,\"requests\":%llu,\"seconds\":%.3f,\"req_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
         "\"p999_us\":%.1f,\"max_us\":%.1f,\"errors\":%llu,\"connected\":%d,\"ramp_ms\":%.1f,\"total_requests\":%llu,\"client_cpu_pct\":%.0f}\n",
         nconns, size, (unsigned long long)measured, secs, measured / secs, pct(measured, 0.50), pct(measured, 0.99),
         pct(measured, 0.999), max_ns / 1000.0, (unsigned long long)errors, connected, ramp_ns / 1e6, (unsigned long long)total, 100 * client_cpu / secs);
  fflush(stdout);
  for (int i = 0; i < nconns; i++)
    if (conns[i].state != DEAD) close(conns[i].fd);
  return 0;
}
