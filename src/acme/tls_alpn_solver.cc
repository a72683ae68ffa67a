#include "acme/tls_alpn_solver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "acme/keys.h"
#include "core/log.h"
#include "core/sha256.h"

namespace ctwatch {
namespace {

constexpr unsigned char kAcmeTls1[] = "acme-tls/1";
constexpr size_t kAcmeTls1Len = sizeof(kAcmeTls1) - 1;

struct ExtDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// ALPN (RFC 7301): only acme-tls/1 is acceptable (RFC 8737 §4).
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == kAcmeTls1Len && std::memcmp(in + i + 1, kAcmeTls1, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

Status AddExtension(X509* cert, X509_EXTENSION* ext) {
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    return MakeError(ErrorCode::kInternal, "X509_add_ext: " + OpenSslErrors());
  }
  X509_EXTENSION_free(ext);
  return OkStatus();
}

}  // namespace

std::string ReverseDnsName(std::string_view ip) {
  const std::string s(ip);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    return std::to_string(buf[3]) + "." + std::to_string(buf[2]) + "." + std::to_string(buf[1]) +
           "." + std::to_string(buf[0]) + ".in-addr.arpa";
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
      out += kHex[buf[i] & 0x0f];
      out += '.';
      out += kHex[buf[i] >> 4];
      out += '.';
    }
    return out + "ip6.arpa";
  }
  return "";
}

Result<TlsAlpnCertificate> MakeTlsAlpnCertificate(const AcmeIdentifier& identifier,
                                                  std::string_view key_authorization) {
  CTW_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(KeyType::kEcdsaP256));
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) {
    return MakeError(ErrorCode::kInternal, "X509_new: " + OpenSslErrors());
  }
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return MakeError(ErrorCode::kInternal, "RAND_bytes");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (sn == nullptr) return MakeError(ErrorCode::kInternal, "serial: " + OpenSslErrors());
  X509_NAME* name = X509_get_subject_name(cert.get());  // get0: owned by cert
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("ctwatch acme-tls/1"), -1, -1,
                             0);
  if (X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 86400) == nullptr ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return MakeError(ErrorCode::kInternal, "X509 fields: " + OpenSslErrors());
  }

  // subjectAltName: exactly the identifier being validated (RFC 8737 §3).
  std::unique_ptr<GENERAL_NAMES, ExtDeleter> names(sk_GENERAL_NAME_new_null());
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (!names || gn == nullptr) return MakeError(ErrorCode::kInternal, "GENERAL_NAME_new");
  if (identifier.type == "ip") {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(identifier.value.c_str());
    if (octets == nullptr) {
      GENERAL_NAME_free(gn);
      return MakeError(ErrorCode::kInvalidArgument, "not an IP address: " + identifier.value);
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, octets);
  } else {
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, identifier.value.data(), static_cast<int>(identifier.value.size()));
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
  }
  sk_GENERAL_NAME_push(names.get(), gn);
  CTW_RETURN_IF_ERROR(
      AddExtension(cert.get(), X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get())));

  // id-pe-acmeIdentifier, critical: extnValue = DER(OCTET STRING (SIZE (32)) SHA-256(keyAuth)).
  const Sha256Hash digest = Sha256(AsBytes(key_authorization));
  unsigned char inner[34] = {0x04, 0x20};
  std::memcpy(inner + 2, digest.data(), digest.size());
  std::unique_ptr<ASN1_OBJECT, ExtDeleter> oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
  std::unique_ptr<ASN1_OCTET_STRING, ExtDeleter> value(ASN1_OCTET_STRING_new());
  if (!oid || !value || ASN1_OCTET_STRING_set(value.get(), inner, sizeof(inner)) != 1) {
    return MakeError(ErrorCode::kInternal, "acmeIdentifier: " + OpenSslErrors());
  }
  CTW_RETURN_IF_ERROR(
      AddExtension(cert.get(), X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get())));

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return MakeError(ErrorCode::kInternal, "X509_sign: " + OpenSslErrors());
  }
  return TlsAlpnCertificate{std::move(cert), std::move(key)};
}

TlsAlpn01Solver::TlsAlpn01Solver(std::string address, int port)
    : address_(std::move(address)), port_(port) {}

TlsAlpn01Solver::~TlsAlpn01Solver() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  SSL_CTX_free(ctx_);
}

Status TlsAlpn01Solver::Start() {
  std::lock_guard lock(mu_);
  if (listen_fd_ >= 0) return OkStatus();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return MakeError(ErrorCode::kInternal, "SSL_CTX_new: " + OpenSslErrors());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(ctx, &SelectAlpn, nullptr);
  SSL_CTX_set_cert_cb(ctx, &TlsAlpn01Solver::SelectCertificate, this);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* info = nullptr;
  const std::string port = std::to_string(port_);
  if (getaddrinfo(address_.empty() ? nullptr : address_.c_str(), port.c_str(), &hints, &info) !=
          0 ||
      info == nullptr) {
    SSL_CTX_free(ctx);
    return MakeError(ErrorCode::kInvalidArgument, "tls-alpn-01: bad listen address " + address_);
  }
  const int fd = ::socket(info->ai_family, info->ai_socktype | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || ::bind(fd, info->ai_addr, info->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    freeaddrinfo(info);
    SSL_CTX_free(ctx);
    return MakeError(ErrorCode::kIo,
                     "tls-alpn-01: cannot listen on " + address_ + ":" + port + ": " + why);
  }
  freeaddrinfo(info);
  ctx_ = ctx;
  listen_fd_ = fd;
  thread_ = std::thread([this] { Serve(); });
  spdlog::info("tls-alpn-01 responder listening on {}:{}", address_, port_);
  return OkStatus();
}

Status TlsAlpn01Solver::Present(const ChallengeTask& task) {
  CTW_ASSIGN_OR_RETURN(TlsAlpnCertificate made,
                       MakeTlsAlpnCertificate(task.identifier, task.key_authorization));
  CTW_RETURN_IF_ERROR(Start());
  auto entry = std::make_shared<TlsAlpnCertificate>(std::move(made));
  std::lock_guard lock(mu_);
  if (task.identifier.type == "ip") {
    certificates_[ReverseDnsName(task.identifier.value)] = entry;
    certificates_[task.identifier.value] = entry;
  } else {
    certificates_[Lower(task.identifier.value)] = entry;
  }
  return OkStatus();
}

Status TlsAlpn01Solver::CleanUp(const ChallengeTask& task) {
  std::lock_guard lock(mu_);
  if (task.identifier.type == "ip") {
    certificates_.erase(ReverseDnsName(task.identifier.value));
    certificates_.erase(task.identifier.value);
  } else {
    certificates_.erase(Lower(task.identifier.value));
  }
  return OkStatus();
}

std::shared_ptr<TlsAlpnCertificate> TlsAlpn01Solver::Lookup(const std::string& sni) {
  std::lock_guard lock(mu_);
  auto it = certificates_.find(Lower(sni));
  return it == certificates_.end() ? nullptr : it->second;
}

int TlsAlpn01Solver::SelectCertificate(SSL* ssl, void* self) {
  const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);  // get0
  if (sni == nullptr) return 0;
  std::shared_ptr<TlsAlpnCertificate> entry = static_cast<TlsAlpn01Solver*>(self)->Lookup(sni);
  if (!entry) return 0;
  // SSL_use_* take their own references, so the entry may be removed during the handshake.
  if (SSL_use_certificate(ssl, entry->certificate.get()) != 1 ||
      SSL_use_PrivateKey(ssl, entry->key.get()) != 1) {
    return 0;
  }
  return 1;
}

void TlsAlpn01Solver::Serve() {
  // OpenSSL writes with write(2): a peer that hangs up must not kill the process with SIGPIPE.
  // Blocking it in this thread keeps the (thread-directed) signal away from the default action.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, 200);
    if (n <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
  }
}

void TlsAlpn01Solver::HandleConnection(int fd) {
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  SSL* ssl = SSL_new(ctx_);
  if (ssl != nullptr && SSL_set_fd(ssl, fd) == 1) {
    if (SSL_accept(ssl) == 1) {
      SSL_shutdown(ssl);
    } else {
      spdlog::debug("tls-alpn-01: handshake refused or failed: {}", OpenSslErrors());
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  ::close(fd);
}

}  // namespace ctwatch
