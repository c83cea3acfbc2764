// ClientConnection on real loopback sockets: it finds the accepted socket a request's addresses
// name, and reports the hang-up only once the client has closed its end.
#include "server/client_connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace onnxgen::server {
namespace {

// A descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  void reset() {
    close(fd);
    fd = -1;
  }
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int port_of(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  (peer ? getpeername : getsockname)(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// A loopback connection: the server's accepted end and the client's end, and the request httplib
// would describe for it.
struct Connection {
  Fd listener{socket(AF_INET, SOCK_STREAM, 0)};
  Fd client{socket(AF_INET, SOCK_STREAM, 0)};
  Fd accepted{-1};
  httplib::Request request;

  Connection() {
    sockaddr_in any = loopback(0);
    EXPECT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&any), sizeof(any)), 0);
    EXPECT_EQ(listen(listener.fd, 1), 0);
    sockaddr_in to = loopback(static_cast<uint16_t>(port_of(listener.fd, false)));
    EXPECT_EQ(connect(client.fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    accepted.fd = accept(listener.fd, nullptr, nullptr);
    EXPECT_GE(accepted.fd, 0);
    request.local_addr = request.remote_addr = "127.0.0.1";
    request.local_port = port_of(accepted.fd, false);
    request.remote_port = port_of(accepted.fd, true);
  }
};

TEST(ClientConnection, OpenUntilTheClientCloses) {
  Connection c;
  ClientConnection conn(c.request);
  ASSERT_TRUE(conn.found());
  EXPECT_FALSE(conn.hung_up());
  // Bytes the client sends (a pipelined request) are not a hang-up.
  ASSERT_EQ(write(c.client.fd, "GET", 3), 3);
  EXPECT_FALSE(conn.hung_up());
  c.client.reset();
  EXPECT_TRUE(conn.hung_up());
}

TEST(ClientConnection, AnUnknownConnectionIsNeverGone) {
  Connection c;
  httplib::Request other = c.request;
  other.remote_port = c.request.remote_port == 1 ? 2 : 1;
  ClientConnection conn(other);
  EXPECT_FALSE(conn.found());
  c.client.reset();
  EXPECT_FALSE(conn.hung_up());
}

}  // namespace
}  // namespace onnxgen::server
