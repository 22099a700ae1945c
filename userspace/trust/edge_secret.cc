#include "trust/edge_secret.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipedge::trust {

Expected<EdgeSecret, std::string> EdgeSecret::from_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return unexpected(path + ": cannot open the secret file: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return unexpected(path + ": the secret file is not a regular file");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    ::close(fd);
    return unexpected(path +
                      ": the secret file is readable or writable by group or others "
                      "(chmod 600 it)");
  }
  std::string text(kMaxSecretBytes + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return unexpected(path + ": cannot read the secret file: " + why);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxSecretBytes)
    return unexpected(path + ": the secret file is larger than " + std::to_string(kMaxSecretBytes) +
                      " bytes");
  text.resize(got);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto s = from_bytes(text);
  if (!s) return unexpected(path + ": " + s.error());
  s->from_file_ = true;
  return s;
}

Expected<EdgeSecret, std::string> EdgeSecret::random() {
  uint8_t b[32];
  if (getrandom(b, sizeof(b), 0) != static_cast<ssize_t>(sizeof(b)))
    return unexpected(std::string("getrandom: ") + std::strerror(errno));
  return from_bytes(std::string_view(reinterpret_cast<const char*>(b), sizeof(b)));
}

Expected<EdgeSecret, std::string> EdgeSecret::from_bytes(std::string_view bytes) {
  if (bytes.size() < kMinSecretBytes)
    return unexpected("the secret has " + std::to_string(bytes.size()) + " bytes, at least " +
                      std::to_string(kMinSecretBytes) + " are needed");
  EdgeSecret s;
  s.bytes_.assign(bytes.begin(), bytes.end());
  return s;
}

std::array<uint8_t, 16> EdgeSecret::derive(std::string_view label) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), bytes_.data(), static_cast<int>(bytes_.size()),
       reinterpret_cast<const unsigned char*>(label.data()), label.size(), md, &len);
  std::array<uint8_t, 16> key{};
  std::memcpy(key.data(), md, key.size());
  return key;
}

}  // namespace sipedge::trust
