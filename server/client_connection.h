#pragma once
// The TCP connection a request arrived on, so that a handler blocked on a generation notices when
// its client hangs up. httplib 0.11 hands handlers no socket; the connection is found among the
// process's descriptors by its two addresses, which identify it uniquely while the handler runs
// (httplib closes the descriptor only after the handler returns).
#include <httplib.h>

namespace onnxgen::server {

class ClientConnection {
 public:
  explicit ClientConnection(const httplib::Request& req);

  // True once the client has closed or reset the connection. A connection that could not be
  // found is never reported as gone: the request then runs to its end or its timeout.
  bool hung_up() const;
  bool found() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace onnxgen::server
