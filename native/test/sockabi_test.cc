// sockabi_test.cc: the ABI-to-BSD translations of sockabi.h (used by the
// kqueue shim's socket calls on macOS and the BSDs), checked on Linux with
// the macOS and FreeBSD tables. The expected numbers are those of the
// platforms' headers (sys/socket.h, netinet/in.h, netinet/tcp.h): macOS
// AF_INET6 30, FreeBSD 28; MSG_TRUNC 0x10, MSG_CTRUNC 0x20, MSG_DONTWAIT 0x80,
// MSG_WAITALL 0x40; SOL_SOCKET 0xffff, SO_REUSEADDR 4, SO_ERROR 0x1007.
// Run by packages/io-kqueue/scripts/sanitize.mjs under ASan+UBSan.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockabi.h"

using namespace sio::abi;

static int g_failed = 0, g_checks = 0;
#define CHECK(c)                                                              \
  do {                                                                        \
    g_checks++;                                                               \
    if (!(c)) {                                                               \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
      g_failed++;                                                             \
    }                                                                         \
  } while (0)

static void test_inet(const Platform &p) {
  // Linux sockaddr_in for 127.0.0.1:8080: family 2 (u16, little-endian), port, address.
  uint8_t abi[16] = {2, 0, 0x1f, 0x90, 127, 0, 0, 1};
  uint8_t out[128], back[128];
  CHECK(addr_to(p, abi, 16, out, sizeof out) == 16);
  CHECK(out[0] == 16 && out[1] == 2 && out[2] == 0x1f && out[3] == 0x90 && out[4] == 127 && out[7] == 1);
  CHECK(addr_to(p, abi, 15, out, sizeof out) == -EINVAL);  // too short, as Linux's bind says
  CHECK(addr_from(p, out, 16, back, sizeof back) == 16);
  CHECK(memcmp(abi, back, 16) == 0);
}

static void test_inet6(const Platform &p, int af) {
  uint8_t abi[28] = {10, 0, 0x1f, 0x90};
  abi[23] = 1;  // ::1
  abi[24] = 5;  // scope id 5
  uint8_t out[128], back[128];
  CHECK(addr_to(p, abi, 28, out, sizeof out) == 28);
  CHECK(out[0] == 28 && out[1] == af && out[23] == 1 && out[24] == 5);
  CHECK(addr_to(p, abi, 24, out, sizeof out) == 28);  // RFC 2133's size: scope 0
  CHECK(out[24] == 0);
  CHECK(addr_from(p, out, 28, back, sizeof back) == 28);
  CHECK(back[0] == 10 && back[1] == 0 && back[23] == 1);
  // A short room: the full length is reported, only cap bytes written.
  uint8_t small[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
  CHECK(addr_from(p, out, 28, small, 4) == 28);
  CHECK(small[0] == 10 && small[4] == 0xee);
  CHECK(family_to(p, 10) == af && family_from(p, af) == 10);
  CHECK(family_to(p, 17) == -1);  // AF_PACKET: none
}

static void test_unix(const Platform &p) {
  uint8_t abi[110] = {1, 0};
  memcpy(abi + 2, "/tmp/s", 7);  // with its NUL, as CPython passes it
  uint8_t out[128], back[128];
  CHECK(addr_to(p, abi, 9, out, sizeof out) == 8);
  CHECK(out[0] == 8 && out[1] == 1 && memcmp(out + 2, "/tmp/s", 6) == 0);
  CHECK(addr_from(p, out, 8, back, sizeof back) == 8);
  CHECK(back[0] == 1 && memcmp(back + 2, "/tmp/s", 6) == 0);
  uint8_t abstract[8] = {1, 0, 0, 'x'};
  CHECK(addr_to(p, abstract, 4, out, sizeof out) == -EINVAL);  // no abstract names on the BSDs
  CHECK(addr_to(p, abi, 2, out, sizeof out) == -EINVAL);       // nor autobind
  uint8_t lng[110] = {1, 0};
  memset(lng + 2, 'a', 104);
  CHECK(addr_to(p, lng, 106, out, sizeof out) == -EINVAL);  // longer than sun_path's 104
  uint8_t bad[16] = {99, 0};
  CHECK(addr_to(p, bad, 16, out, sizeof out) == -EAFNOSUPPORT);
}

static void test_msg(const Platform &p) {
  CHECK(msg_to(p, 0x2) == 0x2);               // MSG_PEEK
  CHECK(msg_to(p, 0x1 | 0x100) == (0x1 | 0x40));  // MSG_OOB | MSG_WAITALL
  CHECK(msg_to(p, 0x40) == 0x80);             // MSG_DONTWAIT
  CHECK(msg_to(p, 0x10000) == -EOPNOTSUPP);   // an ABI bit the translation does not know
  CHECK(msg_from(p, 0x10) == 0x20);           // MSG_TRUNC
  CHECK(msg_from(p, 0x20) == 0x8);            // MSG_CTRUNC
}

static void test_opts(const Platform &p, bool darwin) {
  int l = 0, n = 0;
  CHECK(opt_to(p, 1, 2, &l, &n) && l == 0xffff && n == 4);       // SO_REUSEADDR
  CHECK(opt_to(p, 1, 4, &l, &n) && l == 0xffff && n == 0x1007);  // SO_ERROR
  CHECK(opt_to(p, 1, 13, &l, &n) && n == (darwin ? 0x1080 : 0x80));  // SO_LINGER (macOS: SO_LINGER_SEC)
  CHECK(opt_to(p, 6, 1, &l, &n) && l == 6 && n == 1);            // TCP_NODELAY
  CHECK(opt_to(p, 6, 4, &l, &n) && n == (darwin ? 0x10 : 256));  // TCP_KEEPIDLE
  CHECK(opt_to(p, 41, 26, &l, &n) && l == 41 && n == 27);        // IPV6_V6ONLY
  CHECK(opt_to(p, 0, 1, &l, &n) && n == 3);                      // IP_TOS
  CHECK(!opt_to(p, 1, 16, &l, &n));                              // SO_PASSCRED: Linux only
}

int main() {
  test_inet(kDarwin);
  test_inet(kFreeBSD);
  test_inet6(kDarwin, 30);
  test_inet6(kFreeBSD, 28);
  test_unix(kDarwin);
  test_unix(kFreeBSD);
  test_msg(kDarwin);
  test_msg(kFreeBSD);
  test_opts(kDarwin, true);
  test_opts(kFreeBSD, false);
  CHECK(kDarwin.msg_nosignal == 0 && kFreeBSD.msg_nosignal == 0x20000);
  printf("sockabi: %d checks, %d failed\n", g_checks, g_failed);
  return g_failed == 0 ? 0 : 1;
}
