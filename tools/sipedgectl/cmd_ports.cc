// sipedgectl ports set | del | list.
#include <charconv>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "sipedge/json_writer.h"
#include "xdp/maps.h"
#include "xdp/names.h"

namespace sipedgectl {
namespace {

sipedge::xdp::Result<uint16_t> ParsePort(const std::string& text) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v == 0 || v > 65535)
    return sipedge::unexpected("bad port: " + text);
  return static_cast<uint16_t>(v);
}

sipedge::xdp::Result<sipedge_l4> ParseL4(const std::string& text) {
  auto l4 = sipedge::xdp::L4FromName(text);
  if (!l4) return sipedge::unexpected("bad protocol: " + text + " (want udp, tcp or sctp)");
  return *l4;
}

}  // namespace

int PortsSet(const Options& o) {
  auto l4 = ParseL4(o.proto);
  if (!l4) return Fail(l4.error());
  auto port = ParsePort(o.port);
  if (!port) return Fail(port.error());
  auto cls = sipedge::xdp::PortClassFor(*l4, o.kind);
  if (!cls)
    return Fail("bad port kind: " + o.proto + " cannot carry " + o.kind +
                (*l4 == SIPEDGE_L4_TCP ? " (want sip, tls, ws or wss)" : " (only sip)"));
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::SetPort(pm->maps(), *l4, *port, static_cast<int>(*cls)); !s)
    return Fail(s.error());
  return 0;
}

int PortsDel(const Options& o) {
  auto l4 = ParseL4(o.proto);
  if (!l4) return Fail(l4.error());
  auto port = ParsePort(o.port);
  if (!port) return Fail(port.error());
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  if (auto s = sipedge::xdp::SetPort(pm->maps(), *l4, *port, -1); !s) return Fail(s.error());
  return 0;
}

int PortsList(const Options& o) {
  auto pm = OpenMaps(o.iface);
  if (!pm) return Fail(pm.error());
  auto list = sipedge::xdp::ListPorts(pm->maps());
  if (!list) return Fail(list.error());
  if (o.json) {
    sipedge::JsonWriter j;
    j.begin_array();
    for (const auto& e : *list)
      j.begin_object()
          .key("proto")
          .value(sipedge::xdp::L4Name(e.l4))
          .key("port")
          .value(static_cast<unsigned>(e.port))
          .key("kind")
          .value(sipedge::xdp::PortKindName(e.cls))
          .end_object();
    j.end_array();
    std::cout << j.str() << "\n";
    return 0;
  }
  for (const auto& e : *list)
    std::cout << sipedge::xdp::L4Name(e.l4) << " " << e.port << " "
              << sipedge::xdp::PortKindName(e.cls) << "\n";
  return 0;
}

}  // namespace sipedgectl
