// The e-mail sink: one RFC 5322 message per alert message (a single finding or a digest),
// sent with libcurl's SMTP client: STARTTLS required by default (smtp://) or implicit TLS
// (smtps://), optional AUTH, connect and total timeouts. The idempotency key is the
// Message-ID, so mail systems that deduplicate on it drop a re-sent copy. Everything that
// comes from certificates is untrusted: header values are stripped of control characters and
// non-ASCII is RFC 2047-encoded; the body is quoted-printable.
// Thread-safety: one sink per worker thread; each Deliver uses its own curl handle.
#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "alerts/render.h"
#include "alerts/sink.h"
#include "core/clock.h"
#include "core/encoding.h"

namespace ctwatch {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

// RFC 5322 §3.3: "Sat, 29 Nov 2026 09:51:34 +0000", independent of the locale.
std::string MailDate(int64_t unix_ms) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// A header value without control characters (no header injection from certificate data),
// RFC 2047 "B"-encoded in words of at most 45 input bytes when it is not plain ASCII.
std::string HeaderValue(std::string_view text) {
  std::string clean;
  bool ascii = true;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      clean += ' ';
      continue;
    }
    ascii = ascii && u < 0x80;
    clean += c;
  }
  if (ascii) return clean;
  std::string out;
  size_t pos = 0;
  while (pos < clean.size()) {
    size_t end = std::min(clean.size(), pos + 45);
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (end < clean.size() && end > pos + 1 &&
           (static_cast<unsigned char>(clean[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out +=
        "=?UTF-8?B?" + Base64Encode(AsBytes(std::string_view(clean).substr(pos, end - pos))) + "?=";
    pos = end;
  }
  return out;
}

// RFC 2045 §6.7 quoted-printable with CRLF line ends and soft breaks before 76 columns.
std::string QuotedPrintable(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t column = 0;
  auto emit = [&](std::string_view piece) {
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\r\n";
      column = 0;
      continue;
    }
    if (c == '\r') continue;
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A '.' alone at the start of a line is encoded, so no SMTP server can misread it.
    if (literal && !(c == '.' && column == 0)) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      const char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(enc, 3));
    }
  }
  return out;
}

struct Upload {
  std::string data;
  size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->data.size() - up->pos);
  std::memcpy(buffer, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

// "<ops@example.com>" for MAIL FROM / RCPT TO.
std::string Angle(const std::string& address) {
  if (!address.empty() && address.front() == '<') return address;
  return "<" + address + ">";
}

class EmailSink final : public Sink {
 public:
  explicit EmailSink(const SinkConfig& config) : config_(config) {}

  Status Deliver(const OutgoingMessage& message) override {
    const EmailSinkConfig& e = config_.email;
    Upload upload{.data = Compose(message)};
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
    std::unique_ptr<curl_slist, CurlDeleter> recipients;
    for (const std::string& to : e.to) {
      curl_slist* next = curl_slist_append(recipients.get(), Angle(to).c_str());
      if (next == nullptr) return MakeError(ErrorCode::kInternal, "curl_slist_append failed");
      recipients.release();
      recipients.reset(next);
    }
    CURL* c = curl.get();
    const long use_ssl = e.starttls == StartTls::kRequired   ? CURLUSESSL_ALL
                         : e.starttls == StartTls::kOptional ? CURLUSESSL_TRY
                                                             : CURLUSESSL_NONE;
    bool ok = curl_easy_setopt(c, CURLOPT_URL, e.url.c_str()) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms)) ==
                  CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                               static_cast<long>(std::min<int64_t>(config_.timeout_ms, 10'000))) ==
                  CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_MAIL_FROM, Angle(e.from).c_str()) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get()) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_READDATA, &upload) == CURLE_OK &&
              curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) == CURLE_OK;
    if (ok && !e.ca_file.empty())
      ok = curl_easy_setopt(c, CURLOPT_CAINFO, e.ca_file.c_str()) == CURLE_OK;
    if (ok && !e.username.empty()) {
      ok = curl_easy_setopt(c, CURLOPT_USERNAME, e.username.c_str()) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_PASSWORD, e.password.c_str()) == CURLE_OK;
    }
    if (!ok) return MakeError(ErrorCode::kInternal, "curl_easy_setopt failed for SMTP");
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) return OkStatus();
    long response = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
    std::string what = "SMTP " + RedactUrl(e.url) + ": " + curl_easy_strerror(rc);
    if (error_buffer[0] != '\0') what += " (" + std::string(error_buffer) + ")";
    if (response != 0) what += " [server said " + std::to_string(response) + "]";
    const ErrorCode code = rc == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kTimeout
                           : response >= 400              ? ErrorCode::kHttpStatus
                                                          : ErrorCode::kNetwork;
    return MakeError(code, what);
  }

 private:
  std::string Compose(const OutgoingMessage& m) const {
    const EmailSinkConfig& e = config_.email;
    std::string to;
    for (const std::string& t : e.to) to += (to.empty() ? "" : ", ") + HeaderValue(t);
    std::string subject = MessageSubject(m);
    if (!e.subject_prefix.empty()) subject = e.subject_prefix + " " + subject;
    std::string out;
    out += "Date: " + MailDate(m.created_ms) + "\r\n";
    out += "From: " + HeaderValue(e.from) + "\r\n";
    out += "To: " + to + "\r\n";
    out += "Subject: " + HeaderValue(subject) + "\r\n";
    out += "Message-ID: <" + m.idempotency_key + "@ctwatch>\r\n";
    out += "X-Ctwatch-Idempotency-Key: " + m.idempotency_key + "\r\n";
    out += "X-Ctwatch-Event: " + std::string(MessageKindName(m.kind)) + "\r\n";
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n";
    out += "\r\n";
    out += QuotedPrintable(MessageText(m, config_.certificate_link));
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
  }

  const SinkConfig config_;
};

}  // namespace

std::unique_ptr<Sink> MakeEmailSink(const SinkConfig& config) {
  return std::make_unique<EmailSink>(config);
}

}  // namespace ctwatch
