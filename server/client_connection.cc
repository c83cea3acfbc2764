#include "server/client_connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <string>

namespace onnxgen::server {
namespace {

struct Endpoint {
  std::string addr;
  int port = -1;
  bool operator==(const Endpoint&) const = default;
};

// Formatted as httplib formats Request::remote_addr and local_addr (numeric host), so they compare.
Endpoint endpoint_of(const sockaddr_storage& sa, socklen_t len) {
  char host[NI_MAXHOST], service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&sa), len, host, sizeof(host), service, sizeof(service),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  return {host, std::atoi(service)};
}

bool is_connection(int fd, const Endpoint& local, const Endpoint& remote) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0 || !(endpoint_of(sa, len) == remote)) return false;
  len = sizeof(sa);
  return getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0 && endpoint_of(sa, len) == local;
}

}  // namespace

ClientConnection::ClientConnection(const httplib::Request& req) {
  const Endpoint local{req.local_addr, req.local_port}, remote{req.remote_addr, req.remote_port};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc{}) continue;
    if (is_connection(fd, local, remote)) {
      fd_ = fd;
      return;
    }
  }
}

bool ClientConnection::hung_up() const {
  if (fd_ < 0) return false;
  // POLLRDHUP: the peer closed its side. POLLIN alone may be a pipelined request, not a hangup.
  pollfd p{fd_, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace onnxgen::server
