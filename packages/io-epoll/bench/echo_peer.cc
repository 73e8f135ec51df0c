// A blocking 1-byte TCP echo peer for bench/wake-latency.mjs: it runs in its
// own process so that every round trip makes the shim wait for real.
// Usage: echo_peer  -> prints its port, serves one connection, exits at EOF.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main() {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  if (bind(l, reinterpret_cast<sockaddr *>(&a), sizeof a) || listen(l, 1) ||
      getsockname(l, reinterpret_cast<sockaddr *>(&a), &al))
    return 1;
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int c = accept(l, nullptr, nullptr);
  int one = 1;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char buf[64];
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n <= 0 || write(c, buf, n) != n) return 0;
  }
}
