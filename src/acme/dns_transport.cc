#include "acme/dns_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/clock.h"

namespace ctwatch {
namespace {

constexpr size_t kMaxAnswer = 65535;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error NetError(const DnsServerAddress& server, const std::string& what) {
  return MakeError(ErrorCode::kNetwork, "DNS " + server.ToString() + ": " + what);
}

// Waits for `events` on fd until the monotonic deadline.
Status WaitFor(int fd, short events, int64_t deadline, const DnsServerAddress& server) {
  for (;;) {
    const int64_t left = deadline - MonotonicMs();
    if (left <= 0) {
      return MakeError(ErrorCode::kTimeout, "DNS " + server.ToString() + ": no answer in time");
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1'000'000)));
    if (n > 0) return OkStatus();
    if (n < 0 && errno != EINTR) return NetError(server, std::strerror(errno));
  }
}

Result<addrinfo*> Resolve(const DnsServerAddress& server, int socktype) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string port = std::to_string(server.port);
  const int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &result);
  if (rc != 0 || result == nullptr) return NetError(server, ::gai_strerror(rc));
  return result;
}

bool IsAnswerTo(ByteView request, ByteView answer) {
  return answer.size() >= 12 && answer[0] == request[0] && answer[1] == request[1] &&
         (answer[2] & 0x80) != 0;
}

Result<Bytes> ExchangeUdp(const DnsServerAddress& server, ByteView request, int64_t deadline) {
  CTW_ASSIGN_OR_RETURN(addrinfo * ai, Resolve(server, SOCK_DGRAM));
  Socket s(::socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const int connected = s.fd() < 0 ? -1 : ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen);
  ::freeaddrinfo(ai);
  if (connected != 0) return NetError(server, std::strerror(errno));
  const int64_t start = MonotonicMs();
  const int64_t per_try = std::max<int64_t>(200, (deadline - start) / 3);
  Bytes answer(kMaxAnswer);
  for (int attempt = 0; attempt < 3 && MonotonicMs() < deadline; ++attempt) {
    if (::send(s.fd(), request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
      return NetError(server, std::strerror(errno));
    }
    const int64_t try_deadline = std::min(deadline, MonotonicMs() + per_try);
    for (;;) {
      Status ready = WaitFor(s.fd(), POLLIN, try_deadline, server);
      if (!ready.has_value()) break;  // this try timed out
      const ssize_t n = ::recv(s.fd(), answer.data(), answer.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return NetError(server, std::strerror(errno));  // e.g. ECONNREFUSED
      }
      ByteView got(answer.data(), static_cast<size_t>(n));
      if (!IsAnswerTo(request, got)) continue;  // a stray or late datagram
      return ToBytes(got);
    }
  }
  return MakeError(ErrorCode::kTimeout, "DNS " + server.ToString() + ": no answer over UDP");
}

Status SendAll(int fd, ByteView data, int64_t deadline, const DnsServerAddress& server) {
  while (!data.empty()) {
    CTW_RETURN_IF_ERROR(WaitFor(fd, POLLOUT, deadline, server));
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return NetError(server, std::strerror(errno));
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status RecvAll(int fd, uint8_t* out, size_t len, int64_t deadline, const DnsServerAddress& server) {
  while (len > 0) {
    CTW_RETURN_IF_ERROR(WaitFor(fd, POLLIN, deadline, server));
    const ssize_t n = ::recv(fd, out, len, 0);
    if (n == 0) return NetError(server, "connection closed");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return NetError(server, std::strerror(errno));
    }
    out += n;
    len -= static_cast<size_t>(n);
  }
  return OkStatus();
}

Result<Bytes> ExchangeTcp(const DnsServerAddress& server, ByteView request, int64_t deadline) {
  CTW_ASSIGN_OR_RETURN(addrinfo * ai, Resolve(server, SOCK_STREAM));
  Socket s(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  int rc = s.fd() < 0 ? -1 : ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen);
  ::freeaddrinfo(ai);
  if (rc != 0 && errno != EINPROGRESS) return NetError(server, std::strerror(errno));
  CTW_RETURN_IF_ERROR(WaitFor(s.fd(), POLLOUT, deadline, server));
  int err = 0;
  socklen_t len = sizeof(err);
  ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return NetError(server, std::strerror(err));
  Bytes framed;
  framed.push_back(static_cast<uint8_t>(request.size() >> 8));
  framed.push_back(static_cast<uint8_t>(request.size() & 0xFF));
  framed.insert(framed.end(), request.begin(), request.end());
  CTW_RETURN_IF_ERROR(SendAll(s.fd(), framed, deadline, server));
  for (;;) {
    uint8_t prefix[2];
    CTW_RETURN_IF_ERROR(RecvAll(s.fd(), prefix, 2, deadline, server));
    Bytes answer((static_cast<size_t>(prefix[0]) << 8) | prefix[1]);
    CTW_RETURN_IF_ERROR(RecvAll(s.fd(), answer.data(), answer.size(), deadline, server));
    if (IsAnswerTo(request, answer)) return answer;
  }
}

}  // namespace

std::string DnsServerAddress::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<DnsServerAddress> ParseDnsServer(std::string_view text, int default_port) {
  DnsServerAddress out;
  out.port = default_port;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "bad DNS server \"" + std::string(text) + "\"");
    }
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return MakeError(ErrorCode::kInvalidArgument,
                         "bad DNS server \"" + std::string(text) + "\"");
      }
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    out.host = std::string(text.substr(0, text.find(':')));
    port = text.substr(text.find(':') + 1);
  } else {
    out.host = std::string(text);  // a name, an IPv4 address or a bare IPv6 address
  }
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "bad port in DNS server \"" + std::string(text) + "\"");
    }
    out.port = p;
  }
  if (out.host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "bad DNS server \"" + std::string(text) + "\"");
  }
  return out;
}

Result<Bytes> DnsExchange(const DnsServerAddress& server, ByteView request, int64_t timeout_ms,
                          bool tcp) {
  if (request.size() < 12 || request.size() > 65535) {
    return MakeError(ErrorCode::kInternal, "bad DNS request size");
  }
  const int64_t deadline = MonotonicMs() + timeout_ms;
  if (!tcp && request.size() <= 512) {
    CTW_ASSIGN_OR_RETURN(Bytes answer, ExchangeUdp(server, request, deadline));
    const bool truncated = (answer[2] & 0x02) != 0;
    if (!truncated) return answer;
  }
  return ExchangeTcp(server, request, deadline);
}

}  // namespace ctwatch
