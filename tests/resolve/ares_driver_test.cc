// AresDriver construction: server lists in HOST:PORT / [V6]:PORT form, errors that name
// the fault, and an idle driver's event-loop view. No packets are sent.
#include "resolve/ares_driver.h"

#include <gtest/gtest.h>

namespace sipedge::resolve {
namespace {

TEST(AresDriver, AcceptsIpv4AndIpv6ServersWithPorts) {
  AresOptions o;
  o.servers = {"127.0.0.1:53531", "[::1]:53531"};
  auto d = AresDriver::create(o);
  ASSERT_TRUE(d.has_value()) << d.error();
  EXPECT_EQ((*d)->in_flight(), 0u);
  EXPECT_TRUE((*d)->sockets().empty());
  EXPECT_EQ((*d)->next_timeout_ms(250), 250);  // idle: nothing due before the cap
}

TEST(AresDriver, RejectsAServerThatIsNotAnAddress) {
  AresOptions o;
  o.servers = {"not-an-address"};
  auto d = AresDriver::create(o);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().find("not-an-address"), std::string::npos);
}

TEST(AresDriver, RejectsSeveralServersInOneEntry) {
  AresOptions o;
  o.servers = {"127.0.0.1:53,127.0.0.2:53"};
  EXPECT_FALSE(AresDriver::create(o).has_value());
}

}  // namespace
}  // namespace sipedge::resolve
