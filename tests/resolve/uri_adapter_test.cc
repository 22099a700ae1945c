// The one sip::Uri → ResolveRequest adapter.
#include "resolve/uri_adapter.h"

#include <gtest/gtest.h>

namespace sipedge::resolve {
namespace {

ResolveRequest from(const char* text) {
  auto uri = sip::parse_uri(text, "test");
  EXPECT_TRUE(uri.has_value()) << text;
  auto req = request_from_uri(*uri);
  EXPECT_TRUE(req.has_value()) << text;
  return req.has_value() ? *req : ResolveRequest{};
}

TEST(UriAdapter, SipsNameWithTransportAndNoPort) {
  ResolveRequest r = from("sips:alice@Example.TEST;transport=TCP");
  EXPECT_TRUE(r.sips);
  EXPECT_EQ(r.host, "Example.TEST");
  EXPECT_EQ(r.host_kind, HostKind::kName);
  EXPECT_FALSE(r.port.has_value());
  EXPECT_EQ(r.transport, "tcp");
}

TEST(UriAdapter, Ipv6HostWithPort) {
  ResolveRequest r = from("sip:[2001:db8::1]:5070");
  EXPECT_FALSE(r.sips);
  EXPECT_EQ(r.host, "2001:db8::1");
  EXPECT_EQ(r.host_kind, HostKind::kIPv6);
  EXPECT_EQ(r.port, 5070);
  EXPECT_FALSE(r.transport.has_value());
}

TEST(UriAdapter, Ipv4Host) {
  ResolveRequest r = from("sip:bob@192.0.2.1");
  EXPECT_EQ(r.host_kind, HostKind::kIPv4);
}

TEST(UriAdapter, MaddrIsPassedOnAndAbsentOtherwise) {
  EXPECT_EQ(from("sip:alice@example.test;maddr=Proxy.Example.NET").maddr, "Proxy.Example.NET");
  EXPECT_EQ(from("sip:alice@example.test;maddr=[2001:db8::1]").maddr, "[2001:db8::1]");
  EXPECT_FALSE(from("sip:alice@example.test").maddr.has_value());
}

TEST(UriAdapter, NonSipSchemesAreRefused) {
  auto uri = sip::parse_uri("tel:+15551234", "test");
  ASSERT_TRUE(uri.has_value());
  auto req = request_from_uri(*uri);
  ASSERT_FALSE(req.has_value());
  EXPECT_NE(req.error().find("sip:"), std::string::npos);
}

}  // namespace
}  // namespace sipedge::resolve
