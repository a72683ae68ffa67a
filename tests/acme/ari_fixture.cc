#include "ari_fixture.h"

#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/openssl_util.h"

namespace ctwatch::testing {
namespace {

using nlohmann::json;

std::string B64Url(const uint8_t* data, size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

// RFC 3339 in whole seconds, as Let's Encrypt writes it: "2026-01-02T03:04:05Z".
std::string Rfc3339(int64_t ms) {
  const time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void Problem(httplib::Response& res, int status, const std::string& type,
             const std::string& detail) {
  res.status = status;
  res.set_content(json{{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}}.dump(),
                  "application/problem+json");
}

struct Order {
  std::vector<std::string> names;
  std::string profile;
  std::string replaces;
  std::string status = "ready";
  int64_t expires_ms = 0;
  std::string certificate_pem;  // leaf + CA once valid
};

struct Window {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int retry_after_s = 21600;
  std::string explanation;
};

}  // namespace

struct AriFixture::Impl {
  Options options;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  EvpPkeyPtr ca_key;
  X509Ptr ca_cert;
  std::string ca_pem;

  mutable std::mutex mu;
  std::set<std::string> nonces;
  int64_t next_nonce = 1;
  std::map<std::string, int> accounts;  // jwk JSON → account number
  std::vector<Order> orders;            // order n is orders[n - 1]
  std::map<std::string, Window> windows;
  std::set<std::string> replaced;
  std::vector<NewOrder> new_orders;
  std::vector<std::string> issued;
  int renewal_info_status = 0;
  int renewal_info_requests = 0;

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port); }

  std::string NewNonceLocked() {
    const std::string n = "nonce-" + std::to_string(next_nonce++);
    nonces.insert(n);
    return n;
  }

  // Checks the flattened JWS (nonce known, url = this request's URL) and returns its payload
  // text ("" for POST-as-GET) and protected header; false after answering with a problem.
  bool ReadJws(const httplib::Request& req, httplib::Response& res, std::string* payload,
               json* header) {
    std::lock_guard lock(mu);
    res.set_header("Replay-Nonce", NewNonceLocked());
    res.set_header("Cache-Control", "no-store");
    const json jws = json::parse(req.body, nullptr, false);
    if (!jws.is_object() || !jws.contains("protected") || !jws.contains("payload")) {
      Problem(res, 400, "malformed", "not a flattened JWS");
      return false;
    }
    auto protected_text = Base64UrlDecode(jws["protected"].get<std::string>());
    auto payload_text = Base64UrlDecode(jws["payload"].get<std::string>());
    if (!protected_text || !payload_text) {
      Problem(res, 400, "malformed", "bad base64url");
      return false;
    }
    *header = json::parse(ToString(*protected_text), nullptr, false);
    if (!header->is_object() || header->value("url", "") != Base() + req.path) {
      Problem(res, 400, "unauthorized", "JWS url does not match the request URL");
      return false;
    }
    const std::string nonce = header->value("nonce", "");
    if (nonces.erase(nonce) == 0) {
      Problem(res, 400, "badNonce", "unknown nonce");
      return false;
    }
    *payload = ToString(*payload_text);
    return true;
  }

  json OrderJson(size_t n) const {
    const Order& o = orders[n - 1];
    json ids = json::array();
    for (const std::string& name : o.names) ids.push_back({{"type", "dns"}, {"value", name}});
    json j = {{"status", o.status},
              {"expires", Rfc3339(o.expires_ms)},
              {"identifiers", ids},
              {"authorizations", {Base() + "/authz/" + std::to_string(n)}},
              {"finalize", Base() + "/finalize/" + std::to_string(n)}};
    if (!o.profile.empty()) j["profile"] = o.profile;
    if (!o.replaces.empty()) j["replaces"] = o.replaces;
    if (o.status == "valid") j["certificate"] = Base() + "/cert/" + std::to_string(n);
    return j;
  }

  // Signs a certificate for the CSR's key and names: AKI = the CA's SKI, a 17-byte serial whose
  // first octet is 0x00 (high bit of the next set).
  Result<std::string> Sign(X509_REQ* csr, int64_t validity_ms, std::string* cert_id) {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof(serial));
    serial[0] |= 0x80;
    BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
    const int64_t now = SystemClock::Get()->NowMs() / 1000;
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(now));
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(now + validity_ms / 1000));
    EVP_PKEY* key = X509_REQ_get0_pubkey(csr);
    X509_set_pubkey(cert.get(), key);
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(csr);
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
      X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
      if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name) {
        X509_add_ext(cert.get(), ext, -1);
      }
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* aki =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    X509_add_ext(cert.get(), aki, -1);
    X509_EXTENSION_free(aki);
    if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) {
      return MakeError(ErrorCode::kInternal, "X509_sign");
    }
    *cert_id = CertIdOf(cert.get());
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len)) + ca_pem;
  }

  Status MakeCa() {
    EvpPkeyCtxPtr kctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_keygen_init(kctx.get()) != 1 ||
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx.get(), NID_X9_62_prime256v1) != 1 ||
        EVP_PKEY_keygen(kctx.get(), &raw) != 1) {
      return MakeError(ErrorCode::kInternal, "CA key");
    }
    ca_key.reset(raw);
    ca_cert.reset(X509_new());
    X509_set_version(ca_cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(ca_cert.get()), 1);
    X509_NAME* name = X509_get_subject_name(ca_cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("ARI fixture CA"), -1, -1, 0);
    X509_set_issuer_name(ca_cert.get(), name);
    X509_gmtime_adj(X509_getm_notBefore(ca_cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(ca_cert.get()), 400L * 86400);
    X509_set_pubkey(ca_cert.get(), ca_key.get());
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca_cert.get(), ca_cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                              std::pair{NID_subject_key_identifier, "hash"},
                              std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(ca_cert.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(ca_cert.get(), ca_key.get(), EVP_sha256());
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), ca_cert.get());
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    ca_pem.assign(data, static_cast<size_t>(len));
    return OkStatus();
  }

  void Routes();
};

void AriFixture::Impl::Routes() {
  server.Get("/dir", [this](const httplib::Request&, httplib::Response& res) {
    json profiles = json::object();
    for (const auto& [name, validity] : options.profiles) {
      profiles[name] =
          name + " certificates, valid " + std::to_string(validity / 86'400'000) + " days";
    }
    res.set_content(json{{"newNonce", Base() + "/nonce"},
                         {"newAccount", Base() + "/new-account"},
                         {"newOrder", Base() + "/new-order"},
                         {"revokeCert", Base() + "/revoke"},
                         {"keyChange", Base() + "/key-change"},
                         {"renewalInfo", Base() + "/renewal-info"},
                         {"meta", {{"profiles", profiles}}}}
                        .dump(),
                    "application/json");
  });
  auto nonce = [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu);
    res.set_header("Replay-Nonce", NewNonceLocked());
    res.set_header("Cache-Control", "no-store");
    res.status = 200;
  };
  server.Get("/nonce", nonce);
  server.Options("/nonce", nonce);
  // httplib answers HEAD through the GET handler.

  server.Post("/new-account", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    const json body = json::parse(payload, nullptr, false);
    const std::string jwk = header.contains("jwk") ? header["jwk"].dump() : "";
    std::lock_guard lock(mu);
    auto it = accounts.find(jwk);
    if (it == accounts.end()) {
      if (body.is_object() && body.value("onlyReturnExisting", false)) {
        Problem(res, 400, "accountDoesNotExist", "no account for this key");
        return;
      }
      it = accounts.emplace(jwk, static_cast<int>(accounts.size()) + 1).first;
      res.status = 201;
    } else {
      res.status = 200;
    }
    const std::string url = Base() + "/acct/" + std::to_string(it->second);
    res.set_header("Location", url);
    res.set_content(json{{"status", "valid"}, {"orders", url + "/orders"}}.dump(),
                    "application/json");
  });
  server.Post(R"(/acct/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    res.set_content(json{{"status", "valid"}, {"orders", Base() + req.path + "/orders"}}.dump(),
                    "application/json");
  });
  server.Post(R"(/acct/(\d+)/orders)", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    res.set_content(json{{"orders", json::array()}}.dump(), "application/json");
  });

  server.Post("/new-order", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    const json body = json::parse(payload, nullptr, false);
    Order order;
    if (!body.is_object() || !body.contains("identifiers")) {
      Problem(res, 400, "malformed", "no identifiers");
      return;
    }
    for (const json& id : body["identifiers"]) order.names.push_back(id.value("value", ""));
    std::sort(order.names.begin(), order.names.end());
    order.profile = body.value("profile", "");
    order.replaces = body.value("replaces", "");
    order.expires_ms = SystemClock::Get()->NowMs() + 7 * 86'400'000LL;
    std::lock_guard lock(mu);
    NewOrder seen{order.names, order.profile, order.replaces, 0};
    if (!order.profile.empty() && options.profiles.count(order.profile) == 0) {
      // draft-aaron-acme-profiles §4: an unknown profile is refused with invalidProfile.
      Problem(res, 400, "invalidProfile", "profile \"" + order.profile + "\" is not offered");
    } else if (!order.replaces.empty() &&
               std::find(issued.begin(), issued.end(), order.replaces) == issued.end()) {
      Problem(res, 400, "malformed", "replaces: unknown certificate " + order.replaces);
    } else if (!order.replaces.empty() && replaced.count(order.replaces) > 0) {
      // RFC 9773 §5: a certificate can be replaced by one order only.
      Problem(res, 409, "alreadyReplaced",
              "certificate " + order.replaces + " has already been replaced");
    } else {
      orders.push_back(order);
      const std::string url = Base() + "/order/" + std::to_string(orders.size());
      res.status = 201;
      res.set_header("Location", url);
      res.set_content(OrderJson(orders.size()).dump(), "application/json");
    }
    seen.status = res.status;
    new_orders.push_back(seen);
  });
  server.Post(R"(/order/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    std::lock_guard lock(mu);
    const size_t n = std::stoul(req.matches[1]);
    if (n == 0 || n > orders.size()) return Problem(res, 404, "malformed", "no such order");
    res.set_content(OrderJson(n).dump(), "application/json");
  });
  server.Post(R"(/authz/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    std::lock_guard lock(mu);
    const size_t n = std::stoul(req.matches[1]);
    if (n == 0 || n > orders.size()) return Problem(res, 404, "malformed", "no such authz");
    res.set_content(json{{"identifier", {{"type", "dns"}, {"value", orders[n - 1].names[0]}}},
                         {"status", "valid"},
                         {"expires", Rfc3339(orders[n - 1].expires_ms)},
                         {"challenges", json::array()}}
                        .dump(),
                    "application/json");
  });
  server.Post(R"(/finalize/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    const json body = json::parse(payload, nullptr, false);
    auto der = Base64UrlDecode(body.is_object() ? body.value("csr", "") : "");
    std::lock_guard lock(mu);
    const size_t n = std::stoul(req.matches[1]);
    if (n == 0 || n > orders.size()) return Problem(res, 404, "malformed", "no such order");
    Order& order = orders[n - 1];
    if (order.status != "ready") return Problem(res, 403, "orderNotReady", "not ready");
    if (!der) return Problem(res, 400, "badCSR", "csr is not base64url");
    const unsigned char* p = der->data();
    X509_REQ* csr = d2i_X509_REQ(nullptr, &p, static_cast<long>(der->size()));
    if (csr == nullptr) return Problem(res, 400, "badCSR", "unparsable CSR");
    const int64_t validity =
        order.profile.empty() ? options.default_validity_ms : options.profiles.at(order.profile);
    std::string cert_id;
    auto pem = Sign(csr, validity, &cert_id);
    X509_REQ_free(csr);
    if (!pem) return Problem(res, 500, "serverInternal", pem.error().message);
    order.certificate_pem = *pem;
    order.status = "valid";
    issued.push_back(cert_id);
    if (!order.replaces.empty()) replaced.insert(order.replaces);
    const int64_t nb = SystemClock::Get()->NowMs();
    windows.emplace(cert_id,
                    Window{nb + validity * 2 / 3, nb + validity * 3 / 4, 21600, std::string()});
    res.set_content(OrderJson(n).dump(), "application/json");
  });
  server.Post(R"(/cert/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string payload;
    json header;
    if (!ReadJws(req, res, &payload, &header)) return;
    std::lock_guard lock(mu);
    const size_t n = std::stoul(req.matches[1]);
    if (n == 0 || n > orders.size() || orders[n - 1].certificate_pem.empty()) {
      return Problem(res, 404, "malformed", "no such certificate");
    }
    res.set_content(orders[n - 1].certificate_pem, "application/pem-certificate-chain");
  });
  // RFC 9773 §4.1: unauthenticated GET.
  server.Get(
      R"(/renewal-info/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))",
      [this](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        ++renewal_info_requests;
        if (renewal_info_status != 0) {
          return Problem(res, renewal_info_status, "serverInternal", "try later");
        }
        auto it = windows.find(req.matches[1]);
        if (it == windows.end()) return Problem(res, 404, "malformed", "unknown certID");
        json j = {{"suggestedWindow",
                   {{"start", Rfc3339(it->second.start_ms)}, {"end", Rfc3339(it->second.end_ms)}}}};
        if (!it->second.explanation.empty()) j["explanationURL"] = it->second.explanation;
        if (it->second.retry_after_s >= 0) {
          res.set_header("Retry-After", std::to_string(it->second.retry_after_s));
        }
        res.set_content(j.dump(), "application/json");
      });
}

AriFixture::AriFixture(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<AriFixture>> AriFixture::Start(Options options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  CTW_RETURN_IF_ERROR(impl->MakeCa());
  impl->Routes();
  impl->server.set_tcp_nodelay(true);
  impl->port = impl->server.bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) return MakeError(ErrorCode::kNetwork, "AriFixture: cannot bind");
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  while (!impl->server.is_running()) std::this_thread::yield();
  return std::unique_ptr<AriFixture>(new AriFixture(std::move(impl)));
}

AriFixture::~AriFixture() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string AriFixture::directory_url() const { return impl_->Base() + "/dir"; }

void AriFixture::SetRenewalInfo(const std::string& cert_id, int64_t start_ms, int64_t end_ms,
                                int retry_after_s, const std::string& explanation_url) {
  std::lock_guard lock(impl_->mu);
  impl_->windows[cert_id] = Window{start_ms, end_ms, retry_after_s, explanation_url};
}

void AriFixture::SetRenewalInfoStatus(int status) {
  std::lock_guard lock(impl_->mu);
  impl_->renewal_info_status = status;
}

void AriFixture::MarkReplaced(const std::string& cert_id) {
  std::lock_guard lock(impl_->mu);
  impl_->replaced.insert(cert_id);
}

std::vector<AriFixture::NewOrder> AriFixture::new_orders() const {
  std::lock_guard lock(impl_->mu);
  return impl_->new_orders;
}

int AriFixture::renewal_info_requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->renewal_info_requests;
}

std::vector<std::string> AriFixture::issued_cert_ids() const {
  std::lock_guard lock(impl_->mu);
  return impl_->issued;
}

std::string AriFixture::CertIdOf(const std::vector<uint8_t>& key_identifier,
                                 const std::vector<uint8_t>& serial_content) {
  return B64Url(key_identifier.data(), key_identifier.size()) + "." +
         B64Url(serial_content.data(), serial_content.size());
}

std::string AriFixture::CertIdOf(X509* certificate) {
  const ASN1_OCTET_STRING* kid = X509_get0_authority_key_id(certificate);
  std::vector<uint8_t> key_id;
  if (kid != nullptr) {
    key_id.assign(ASN1_STRING_get0_data(kid), ASN1_STRING_get0_data(kid) + ASN1_STRING_length(kid));
  }
  // The serial's DER encoding is 02 <len> <content>; the content keeps its leading 00.
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_INTEGER(X509_get_serialNumber(certificate), &der);
  std::vector<uint8_t> content;
  if (len > 2 && der[1] < 0x80) content.assign(der + 2, der + len);
  OPENSSL_free(der);
  return CertIdOf(key_id, content);
}

}  // namespace ctwatch::testing
