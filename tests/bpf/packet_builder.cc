#include "packet_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sipedge::testing {

size_t Packet::Append(size_t n) {
  size_t at = bytes_.size();
  bytes_.resize(at + n, 0);
  starts_.push_back(at);
  return at;
}

void Packet::Put16(size_t at, uint16_t v) {
  bytes_[at] = static_cast<uint8_t>(v >> 8);
  bytes_[at + 1] = static_cast<uint8_t>(v);
}

void Packet::SetNext(uint16_t ethertype, uint8_t ipproto) {
  if (ipproto_at_) {
    bytes_[*ipproto_at_] = ipproto;
  } else if (ethertype_at_) {
    Put16(*ethertype_at_, ethertype);
  }
  ethertype_at_.reset();
  ipproto_at_.reset();
}

Packet& Packet::Eth() {
  size_t at = Append(14);
  const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01}, src[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::memcpy(&bytes_[at], dst, 6);
  std::memcpy(&bytes_[at + 6], src, 6);
  ethertype_at_ = at + 12;
  return *this;
}

Packet& Packet::Vlan(uint16_t vid, uint16_t tpid) {
  SetNext(tpid, 0);
  size_t at = Append(4);
  Put16(at, vid & 0x0fff);
  ethertype_at_ = at + 2;
  return *this;
}

Packet& Packet::EtherType(uint16_t type) {
  SetNext(type, 0);
  return *this;
}

Packet& Packet::IPv4(const std::string& src, const std::string& dst, std::vector<uint8_t> options,
                     uint16_t frag) {
  SetNext(0x0800, 4);
  size_t at = Append(20 + options.size());
  bytes_[at] = static_cast<uint8_t>(0x40 | ((20 + options.size()) / 4));
  bytes_[at + 8] = 64;
  Put16(at + 6, frag);
  inet_pton(AF_INET, src.c_str(), &bytes_[at + 12]);
  inet_pton(AF_INET, dst.c_str(), &bytes_[at + 16]);
  if (!options.empty()) std::memcpy(&bytes_[at + 20], options.data(), options.size());
  ipv4_at_ = at;
  ipproto_at_ = at + 9;
  return *this;
}

Packet& Packet::IPv6(const std::string& src, const std::string& dst) {
  SetNext(0x86DD, 41);
  size_t at = Append(40);
  bytes_[at] = 0x60;
  bytes_[at + 7] = 64;
  inet_pton(AF_INET6, src.c_str(), &bytes_[at + 8]);
  inet_pton(AF_INET6, dst.c_str(), &bytes_[at + 24]);
  ipv6_at_ = at;
  ipproto_at_ = at + 6;
  return *this;
}

Packet& Packet::IPv6Ext(uint8_t type, size_t len) {
  SetNext(0, type);
  size_t at = Append(len);
  bytes_[at + 1] = static_cast<uint8_t>(len / 8 - 1);
  if (len >= 4 && type != 43) {
    bytes_[at + 2] = 1;  // PadN option covering the rest
    bytes_[at + 3] = static_cast<uint8_t>(len - 4);
  }
  ipproto_at_ = at;
  return *this;
}

Packet& Packet::IPv6Frag(uint16_t offset, bool more) {
  SetNext(0, 44);
  size_t at = Append(8);
  Put16(at + 2, static_cast<uint16_t>(offset << 3 | (more ? 1 : 0)));
  ipproto_at_ = at;
  return *this;
}

Packet& Packet::IpProto(uint8_t proto) {
  SetNext(0, proto);
  return *this;
}

Packet& Packet::Udp(uint16_t sport, uint16_t dport) {
  SetNext(0, 17);
  size_t at = Append(8);
  Put16(at, sport);
  Put16(at + 2, dport);
  udp_at_ = at;
  return *this;
}

Packet& Packet::Tcp(uint16_t sport, uint16_t dport, uint8_t flags) {
  SetNext(0, 6);
  size_t at = Append(20);
  Put16(at, sport);
  Put16(at + 2, dport);
  bytes_[at + 12] = 5 << 4;
  bytes_[at + 13] = flags;
  Put16(at + 14, 65535);
  return *this;
}

Packet& Packet::Sctp(uint16_t sport, uint16_t dport) {
  SetNext(0, 132);
  size_t at = Append(12);
  Put16(at, sport);
  Put16(at + 2, dport);
  return *this;
}

Packet& Packet::Payload(std::string_view data) {
  size_t at = Append(data.size());
  if (!data.empty()) std::memcpy(&bytes_[at], data.data(), data.size());
  return *this;
}

Packet& Packet::UdpLength(uint16_t len) {
  udp_len_override_ = len;
  return *this;
}

std::vector<uint8_t> Packet::Build() const {
  std::vector<uint8_t> out = bytes_;
  auto put16 = [&](size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
  };
  if (udp_at_) put16(*udp_at_ + 4, udp_len_override_.value_or(out.size() - *udp_at_));
  if (ipv6_at_) put16(*ipv6_at_ + 4, static_cast<uint16_t>(out.size() - *ipv6_at_ - 40));
  if (ipv4_at_) {
    size_t at = *ipv4_at_;
    size_t ihl = (out[at] & 0x0f) * 4;
    put16(at + 2, static_cast<uint16_t>(out.size() - at));
    uint32_t sum = 0;
    for (size_t i = 0; i < ihl; i += 2) sum += out[at + i] << 8 | out[at + i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    put16(at + 10, static_cast<uint16_t>(~sum));
  }
  return out;
}

namespace {

uint16_t Get16(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

void Put16At(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

void Ipv4Checksum(std::vector<uint8_t>& b, size_t at) {
  size_t ihl = (b[at] & 0x0f) * 4;
  Put16At(b, at + 10, 0);
  uint32_t sum = 0;
  for (size_t i = 0; i < ihl; i += 2) sum += Get16(b, at + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  Put16At(b, at + 10, static_cast<uint16_t>(~sum));
}

}  // namespace

std::vector<std::vector<uint8_t>> Fragment(const std::vector<uint8_t>& frame, size_t first_bytes,
                                           size_t rest_bytes) {
  size_t l3 = 14;
  while (Get16(frame, l3 - 2) == 0x8100 || Get16(frame, l3 - 2) == 0x88A8) l3 += 4;
  bool v4 = Get16(frame, l3 - 2) == 0x0800;
  size_t hdr = v4 ? (frame[l3] & 0x0f) * 4 : 40;
  std::vector<uint8_t> head(frame.begin(), frame.begin() + static_cast<long>(l3 + hdr));
  std::vector<uint8_t> payload(frame.begin() + static_cast<long>(l3 + hdr), frame.end());
  uint8_t proto = v4 ? frame[l3 + 9] : frame[l3 + 6];
  std::vector<std::vector<uint8_t>> out;
  for (size_t off = 0; off < payload.size();) {
    size_t n = std::min(off == 0 ? first_bytes : rest_bytes, payload.size() - off);
    bool more = off + n < payload.size();
    std::vector<uint8_t> f = head;
    if (v4) {
      Put16At(f, l3 + 6, static_cast<uint16_t>((more ? 0x2000 : 0) | (off / 8)));
      Put16At(f, l3 + 2, static_cast<uint16_t>(hdr + n));
      Ipv4Checksum(f, l3);
    } else {
      f[l3 + 6] = 44;
      uint8_t fh[8] = {proto, 0, 0, 0, 0, 0, 0x12, 0x34};
      Put16At(f, l3 + 4, static_cast<uint16_t>(8 + n));
      f.insert(f.end(), fh, fh + 8);
      Put16At(f, l3 + 40 + 2, static_cast<uint16_t>(off | (more ? 1 : 0)));
    }
    f.insert(f.end(), payload.begin() + static_cast<long>(off),
             payload.begin() + static_cast<long>(off + n));
    out.push_back(std::move(f));
    off += n;
  }
  return out;
}

std::string StunBindingRequest() {
  std::string m(28, '\0');
  m[1] = 0x01;  // Binding request
  m[3] = 8;     // attributes: 8 bytes
  const char cookie[4] = {0x21, 0x12, static_cast<char>(0xA4), 0x42};
  std::memcpy(&m[4], cookie, 4);
  for (int i = 0; i < 12; ++i) m[8 + i] = static_cast<char>(0x40 + i);  // transaction id
  m[20] = static_cast<char>(0x80);  // FINGERPRINT (0x8028), length 4
  m[21] = 0x28;
  m[23] = 4;
  return m;
}

}  // namespace sipedge::testing
