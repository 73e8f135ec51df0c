/*
 * The c10k demo's client (Linux, epoll, nonblocking, one thread): opens N
 * TCP connections to an echo server on 127.0.0.1, most of which then sit
 * idle while a few are active, and reports what it sees as JSON lines.
 *
 * Phases:
 *   ramp    connect every connection, at most -q connects in flight at
 *           once (the listen backlog is finite); a connection counts as
 *           open once its first 64-byte request has been echoed, which
 *           proves the server accepted it and serves it.
 *   idle    every connection open (or the ramp deadline passed): nothing is
 *           sent for -I ms, so that the server can be measured with all
 *           connections established and idle.
 *   active  -a percent of the connections (spread over all of them) each
 *           send a request every -i ms (fixed rate: a late answer makes the
 *           next request go at once; their first requests are spread over
 *           one interval) and wait for its echo; the others
 *           stay idle. Until -d seconds after the start.
 * Every response is checked byte for byte (the pattern depends on the
 * connection and the request number).
 *
 * Output, one JSON object per line on stdout:
 *   {"event":"status","t_ms":..,"phase":"ramp|idle|active","open":..,
 *    "connecting":..,"errors":..,"requests":..,"rps":..,"p50_us":..,
 *    "p99_us":..}                                        every -s ms
 *   {"event":"established","t_ms":..,"open":..,"ramp_ms":..}   ramp over
 *   {"event":"idle","t_ms":..,"open":..}    end of the idle phase (all open, quiet)
 *   {"event":"summary",...}                  last line: totals, latency percentiles
 * rps is over the last status interval; p50/p99 are over the whole active
 * phase so far.
 *
 * Every loop is bounded: the ramp by its deadline (-t), the run by -d.
 * The open-file limit is raised to what N needs, up to the hard limit.
 *
 * usage: client -p port [-c conns] [-a active_pct] [-i interval_ms]
 *               [-d seconds] [-I idle_ms] [-t ramp_timeout_s] [-q max_connecting]
 *               [-s status_ms] [-z size]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 4096
/* Latency histogram: 10 µs buckets up to 10 s, then one overflow bucket. */
#define BUCKET_NS 10000ull
#define NBUCKETS 1000000

enum { UNUSED, CONNECTING, WAITING, IDLE, DEAD };

struct conn {
  int fd;
  int state;
  int active;          /* one of the -a percent */
  uint32_t sent, got;  /* bytes of the current request sent / echoed */
  uint64_t seq;        /* request number on this connection */
  uint64_t t0;         /* when the current request was sent (ns) */
  uint64_t next;       /* active: when the next request is due (ns) */
  int want_out;        /* EPOLLOUT in the interest set */
};

static int size = 64;
static uint32_t *hist;
static uint64_t hist_n, overflow, max_ns;
static volatile sig_atomic_t stop_now;

static void on_signal(int sig) { (void)sig; stop_now = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline unsigned char pattern(int idx, uint64_t seq, uint32_t i) { return (unsigned char)(idx * 31 + seq * 7 + i); }

static double pct(double p) {
  if (hist_n == 0) return 0;
  uint64_t want = (uint64_t)(p * (double)hist_n);
  if (want >= hist_n) want = hist_n - 1;
  uint64_t acc = 0;
  for (int i = 0; i < NBUCKETS; i++) {
    acc += hist[i];
    if (acc > want) return (i + 0.5) * BUCKET_NS / 1000.0;
  }
  return max_ns / 1000.0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: client -p port [-c conns] [-a active_pct] [-i interval_ms] [-d seconds] [-I idle_ms] [-t ramp_timeout_s] "
          "[-q max_connecting] [-s status_ms] [-z size]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int port = 0, nconns = 10000, max_connecting = 512, status_ms = 250;
  double active_pct = 1, interval_ms = 100, seconds = 20, idle_ms = 1500, ramp_timeout = 30;
  int opt;
  while ((opt = getopt(argc, argv, "p:c:a:i:d:I:t:q:s:z:")) != -1) {
    switch (opt) {
      case 'p': port = atoi(optarg); break;
      case 'c': nconns = atoi(optarg); break;
      case 'a': active_pct = atof(optarg); break;
      case 'i': interval_ms = atof(optarg); break;
      case 'd': seconds = atof(optarg); break;
      case 'I': idle_ms = atof(optarg); break;
      case 't': ramp_timeout = atof(optarg); break;
      case 'q': max_connecting = atoi(optarg); break;
      case 's': status_ms = atoi(optarg); break;
      case 'z': size = atoi(optarg); break;
      default: usage();
    }
  }
  if (port <= 0 || port > 65535 || nconns < 1 || nconns > 60000 || active_pct < 0 || active_pct > 100 || interval_ms < 1 ||
      seconds <= 0 || seconds > 3600 || idle_ms < 0 || ramp_timeout <= 0 || max_connecting < 1 || status_ms < 10 || size < 1 ||
      size > MAX_SIZE)
    usage();

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nconns + 16) {
    rl.rlim_cur = rl.rlim_max < (rlim_t)nconns + 16 ? rl.rlim_max : (rlim_t)nconns + 16;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  hist = calloc(NBUCKETS, sizeof *hist);
  struct conn *conns = calloc(nconns, sizeof *conns);
  unsigned char *buf = malloc(MAX_SIZE);
  struct epoll_event *evs = calloc(1024, sizeof *evs);
  if (!hist || !conns || !buf || !evs) { perror("alloc"); return 1; }

  /* The active connections, spread evenly over all of them. */
  int nactive = (int)(nconns * active_pct / 100.0 + 0.5);
  if (active_pct > 0 && nactive == 0) nactive = 1;
  int *active = calloc(nactive > 0 ? nactive : 1, sizeof *active);
  for (int k = 0; k < nactive; k++) {
    int idx = (int)((long long)k * nconns / nactive);
    active[k] = idx;
    conns[idx].active = 1;
  }

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) { perror("epoll_create1"); return 1; }

  uint64_t start = now_ns();
  uint64_t end = start + (uint64_t)(seconds * 1e9);
  uint64_t ramp_deadline = start + (uint64_t)(ramp_timeout * 1e9);
  uint64_t t_established = 0, t_active = 0;
  uint64_t next_status = start + (uint64_t)status_ms * 1000000ull;
  int phase = 0; /* 0 ramp, 1 idle, 2 active */
  static const char *phase_name[] = { "ramp", "idle", "active" };
  int next_to_open = 0, connecting = 0, open = 0, peak_open = 0;
  uint64_t errors = 0, requests = 0, requests_at_status = 0;
  uint64_t last_status = start;
  const char *stop_reason = "duration";

#define FAIL(c)                  \
  do {                           \
    if ((c)->state == CONNECTING || (c)->state == WAITING) { if ((c)->seq == 0) connecting--; } \
    if ((c)->state == IDLE || ((c)->state == WAITING && (c)->seq > 0)) open--; \
    close((c)->fd);              \
    (c)->state = DEAD;           \
    errors++;                    \
  } while (0)

  /* Sends (the rest of) the current request; watches EPOLLOUT only while short. */
#define SEND_MORE(c, idx)                                                                                   \
  do {                                                                                                      \
    while ((c)->sent < (uint32_t)size) {                                                                    \
      for (uint32_t i_ = (c)->sent; i_ < (uint32_t)size; i_++) buf[i_] = pattern((idx), (c)->seq, i_);       \
      ssize_t w_ = send((c)->fd, buf + (c)->sent, size - (c)->sent, MSG_NOSIGNAL);                          \
      if (w_ < 0) {                                                                                         \
        if (errno == EAGAIN) break;                                                                         \
        FAIL(c);                                                                                            \
        break;                                                                                              \
      }                                                                                                     \
      (c)->sent += (uint32_t)w_;                                                                            \
    }                                                                                                       \
    if ((c)->state != DEAD) {                                                                               \
      int out_ = (c)->sent < (uint32_t)size;                                                                \
      if (out_ != (c)->want_out) {                                                                          \
        struct epoll_event e_ = { .events = EPOLLIN | (out_ ? EPOLLOUT : 0), .data.u32 = (uint32_t)(idx) }; \
        epoll_ctl(ep, EPOLL_CTL_MOD, (c)->fd, &e_);                                                         \
        (c)->want_out = out_;                                                                               \
      }                                                                                                     \
    }                                                                                                       \
  } while (0)

  for (uint64_t iter = 0;; iter++) {
    uint64_t t = now_ns();
    if (stop_now) { stop_reason = "signal"; break; }
    if (t >= end) break;

    /* Ramp: keep up to max_connecting connects in flight. */
    while (phase == 0 && next_to_open < nconns && connecting < max_connecting) {
      int idx = next_to_open++;
      struct conn *c = &conns[idx];
      c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c->fd < 0) { c->state = DEAD; errors++; continue; }
      int one = 1;
      setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      int r = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
      if (r < 0 && errno != EINPROGRESS) { close(c->fd); c->state = DEAD; errors++; continue; }
      c->state = CONNECTING;
      c->want_out = 1;
      struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)idx };
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
      connecting++;
    }
    if (phase == 0 && ((next_to_open >= nconns && connecting == 0) || t >= ramp_deadline)) {
      /* Connections still not answered at the deadline count as errors. */
      for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        if (c->state == UNUSED) { c->state = DEAD; errors++; }
        else if ((c->state == CONNECTING || c->state == WAITING) && c->seq == 0) FAIL(c);
      }
      phase = 1;
      t_established = t;
      printf("{\"event\":\"established\",\"t_ms\":%.1f,\"open\":%d,\"ramp_ms\":%.1f,\"errors\":%llu}\n", (t - start) / 1e6, open,
             (t - start) / 1e6, (unsigned long long)errors);
      fflush(stdout);
    }
    if (phase == 1 && t >= t_established + (uint64_t)(idle_ms * 1e6)) {
      phase = 2;
      t_active = t;
      printf("{\"event\":\"idle\",\"t_ms\":%.1f,\"open\":%d}\n", (t - start) / 1e6, open);
      fflush(stdout);
      /* Spread over the interval: a steady rate, not a burst every interval. */
      for (int k = 0; k < nactive; k++) conns[active[k]].next = t + (uint64_t)(interval_ms * 1e6 * k / nactive);
    }
    /* Active phase: send the requests that are due. */
    uint64_t soonest = t + 10000000ull;
    if (phase == 2) {
      for (int k = 0; k < nactive; k++) {
        int idx = active[k];
        struct conn *c = &conns[idx];
        if (c->state != IDLE) continue;
        if (c->next <= t) {
          c->state = WAITING;
          c->sent = c->got = 0;
          c->t0 = t;
          c->next += (uint64_t)(interval_ms * 1e6);
          if (c->next < t) c->next = t; /* behind: no burst to catch up */
          SEND_MORE(c, idx);
        } else if (c->next < soonest) {
          soonest = c->next;
        }
      }
    }
    if (t >= next_status) {
      double dt = (t - last_status) / 1e9;
      printf("{\"event\":\"status\",\"t_ms\":%.1f,\"phase\":\"%s\",\"open\":%d,\"connecting\":%d,\"errors\":%llu,\"requests\":%llu,"
             "\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n",
             (t - start) / 1e6, phase_name[phase], open, connecting, (unsigned long long)errors, (unsigned long long)requests,
             dt > 0 ? (requests - requests_at_status) / dt : 0, pct(0.50), pct(0.99));
      fflush(stdout);
      requests_at_status = requests;
      last_status = t;
      next_status = t + (uint64_t)status_ms * 1000000ull;
    }
    if (next_status < soonest) soonest = next_status;
    if (end < soonest) soonest = end;
    int timeout_ms = soonest > t ? (int)((soonest - t + 999999) / 1000000) : 0;
    if (phase == 0 && timeout_ms > 10) timeout_ms = 10;

    int n = epoll_wait(ep, evs, 1024, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("epoll_wait");
      return 1;
    }
    for (int k = 0; k < n; k++) {
      int idx = (int)evs[k].data.u32;
      struct conn *c = &conns[idx];
      if (c->state == DEAD || c->state == UNUSED) continue;
      if (c->state == CONNECTING) {
        if (!(evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (evs[k].events & (EPOLLERR | EPOLLHUP))) { FAIL(c); continue; }
        /* Connected: the first request proves the server serves it. */
        c->state = WAITING;
        c->seq = 0;
        c->sent = c->got = 0;
        c->t0 = now_ns();
        SEND_MORE(c, idx);
        continue;
      }
      if ((evs[k].events & EPOLLOUT) && c->state == WAITING && c->sent < (uint32_t)size) SEND_MORE(c, idx);
      if (c->state == DEAD) continue;
      if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      for (;;) {
        ssize_t r = recv(c->fd, buf, MAX_SIZE, 0);
        if (r == 0) { FAIL(c); break; } /* the server closed it */
        if (r < 0) {
          if (errno != EAGAIN) FAIL(c);
          break;
        }
        int bad = c->state != WAITING || c->got + (uint32_t)r > c->sent;
        for (ssize_t i = 0; !bad && i < r; i++) bad = buf[i] != pattern(idx, c->seq, c->got + (uint32_t)i);
        if (bad) { FAIL(c); break; } /* unasked-for or wrong bytes */
        c->got += (uint32_t)r;
        if (c->got < (uint32_t)size) continue;
        uint64_t t1 = now_ns();
        if (c->seq == 0) {
          connecting--;
          open++;
          if (open > peak_open) peak_open = open;
        } else {
          requests++;
          uint64_t d = t1 - c->t0;
          uint64_t b = d / BUCKET_NS;
          if (b < NBUCKETS) hist[b]++; else overflow++;
          hist_n++;
          if (d > max_ns) max_ns = d;
        }
        c->seq++;
        c->state = IDLE;
        c->sent = c->got = 0;
        break;
      }
    }
    (void)iter;
  }
  uint64_t t_stop = now_ns();
  double active_s = t_active ? (t_stop - t_active) / 1e9 : 0;
  printf("{\"event\":\"summary\",\"stopped_by\":\"%s\",\"conns\":%d,\"active\":%d,\"interval_ms\":%.1f,\"size\":%d,\"peak_open\":%d,"
         "\"open_at_end\":%d,\"errors\":%llu,\"ramp_ms\":%.1f,\"requests\":%llu,\"active_seconds\":%.3f,\"req_per_s\":%.1f,"
         "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"seconds\":%.3f}\n",
         stop_reason, nconns, nactive, interval_ms, size, peak_open, open, (unsigned long long)errors,
         t_established ? (t_established - start) / 1e6 : (t_stop - start) / 1e6, (unsigned long long)requests, active_s,
         active_s > 0 ? requests / active_s : 0, pct(0.50), pct(0.99), pct(0.999), max_ns / 1000.0, (t_stop - start) / 1e9);
  fflush(stdout);
  for (int i = 0; i < nconns; i++)
    if (conns[i].state != DEAD && conns[i].state != UNUSED) close(conns[i].fd);
  return 0;
}
