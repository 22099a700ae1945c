// A fluent builder of test frames, Katran-style:
//   Packet().Eth().Vlan(7).IPv4("192.0.2.1", "198.51.100.1").Udp(5062, 5060).Payload("...")
// Each layer fills the previous layer's "next protocol" field; Build() fixes the lengths and
// the IPv4 header checksum. Lengths can be overridden to craft inconsistent frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipedge::testing {

class Packet {
 public:
  Packet& Eth();
  Packet& Vlan(uint16_t vid, uint16_t tpid = 0x8100);
  // Any ethertype, ending the frame's L3 parsing there (e.g. 0x0806 ARP).
  Packet& EtherType(uint16_t type);
  // `options` must be a multiple of 4 bytes. `frag` is the raw flags+offset field.
  Packet& IPv4(const std::string& src, const std::string& dst, std::vector<uint8_t> options = {},
               uint16_t frag = 0);
  Packet& IPv6(const std::string& src, const std::string& dst);
  // Hop-by-hop (0), routing (43) or destination options (60); `len` a multiple of 8, >= 8.
  Packet& IPv6Ext(uint8_t type, size_t len = 8);
  // Fragment header; `offset` in 8-octet units.
  Packet& IPv6Frag(uint16_t offset, bool more);
  // Any IP protocol number with no header of its own (e.g. 1 for ICMP).
  Packet& IpProto(uint8_t proto);
  Packet& Udp(uint16_t sport, uint16_t dport);
  Packet& Tcp(uint16_t sport, uint16_t dport, uint8_t flags = 0x18 /* PSH|ACK */);
  Packet& Sctp(uint16_t sport, uint16_t dport);
  Packet& Payload(std::string_view bytes);
  // Overrides the UDP length field that Build() would compute.
  Packet& UdpLength(uint16_t len);

  std::vector<uint8_t> Build() const;
  // Byte offsets where each header starts, in the order they were added (for truncation).
  const std::vector<size_t>& HeaderStarts() const { return starts_; }

 private:
  void SetNext(uint16_t ethertype, uint8_t ipproto);
  void Put16(size_t at, uint16_t v);
  size_t Append(size_t n);

  std::vector<uint8_t> bytes_;
  std::vector<size_t> starts_;
  // Where the next layer writes its type: an ethertype (2 bytes) or an IP protocol (1 byte).
  std::optional<size_t> ethertype_at_, ipproto_at_;
  std::optional<size_t> ipv4_at_, ipv6_at_, udp_at_;
  std::optional<uint16_t> udp_len_override_;
};

// Splits a whole IPv4 or IPv6 frame (Ethernet, optional VLAN tags, IP header with no IPv6
// extension headers, then the L4 datagram) into fragments the way a sending host does: the
// first fragment carries `first_bytes` of the IP payload (a multiple of 8; its UDP header
// keeps the length of the whole datagram), the following ones up to `rest_bytes` each.
// IPv6 fragments get a fragment header after the fixed header.
std::vector<std::vector<uint8_t>> Fragment(const std::vector<uint8_t>& frame, size_t first_bytes,
                                           size_t rest_bytes);

// A STUN Binding request (RFC 5389 §6) with a FINGERPRINT-sized attribute: 28 bytes.
std::string StunBindingRequest();

}  // namespace sipedge::testing
