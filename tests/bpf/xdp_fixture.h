// GoogleTest fixture: a private (unpinned) sipedge_xdp instance with default config, frames
// run through it with BPF_PROG_TEST_RUN, counters read back summed over CPUs.
#pragma once

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <vector>

#include "packet_builder.h"
#include "xdp/maps.h"
#include "xdp/skeleton.h"

namespace sipedge::testing {

class XdpProgTest : public ::testing::Test {
 public:
  void SetUp() override {
    sipedge::xdp::QuietLibraries();
    auto skel = sipedge::xdp::LoadPrivateInstance();
    ASSERT_TRUE(skel) << skel.error();
    skel_ = std::move(*skel);
    maps_ = sipedge::xdp::MapsOf(*skel_);
  }

  // The XDP verdict for `frame`; fails the test if the kernel refuses to run it.
  int Run(const std::vector<uint8_t>& frame) {
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = 1;
    int rc = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.sipedge_xdp), &opts);
    EXPECT_EQ(rc, 0) << "BPF_PROG_TEST_RUN failed, errno " << errno;
    return static_cast<int>(opts.retval);
  }
  int Run(const Packet& p) { return Run(p.Build()); }

  sipedge::xdp::StatsTotals Stats() {
    auto t = sipedge::xdp::ReadStats(maps_);
    EXPECT_TRUE(t) << t.error();
    return t ? *t : sipedge::xdp::StatsTotals{};
  }
  uint64_t ClassPackets(unsigned cls) { return Stats().classes[cls].packets; }
  uint64_t Drops(unsigned reason) { return Stats().drops[reason]; }
  // Every frame lands in exactly one counter.
  uint64_t TotalCounted() {
    auto t = Stats();
    uint64_t n = 0;
    for (const auto& c : t.classes) n += c.packets;
    for (uint64_t d : t.drops) n += d;
    return n;
  }

  sipedge::xdp::Skeleton skel_;
  sipedge::xdp::MapSet maps_;
};

inline constexpr const char* kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n"
    "From: <sip:alice@example.org>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1:5062>\r\nContent-Length: 0\r\n\r\n";

inline Packet UdpV4(const std::string& src, uint16_t dport, std::string_view payload) {
  Packet p;
  p.Eth().IPv4(src, "198.51.100.1").Udp(5062, dport).Payload(payload);
  return p;
}

inline Packet TcpV4(const std::string& src, uint16_t dport, uint8_t flags = 0x18) {
  Packet p;
  p.Eth().IPv4(src, "198.51.100.1").Tcp(40000, dport, flags);
  return p;
}

}  // namespace sipedge::testing
