#include "net/icmp_error.h"

#include <time.h>
// linux/errqueue.h needs struct timespec first.
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

namespace sipedge::net {
namespace {

// RFC 792 / RFC 1812 §5.2.7.1 destination unreachable codes.
IcmpVerdict classify_v4_unreachable(uint8_t code) {
  switch (code) {
    case ICMP_NET_UNREACH:
      return {true, "net_unreachable"};
    case ICMP_HOST_UNREACH:
      return {true, "host_unreachable"};
    case ICMP_PORT_UNREACH:
      return {true, "port_unreachable"};
    case ICMP_NET_ANO:
      return {true, "net_admin_prohibited"};
    case ICMP_HOST_ANO:
      return {true, "host_admin_prohibited"};
    case ICMP_PKT_FILTERED:
      return {true, "admin_prohibited"};
    // The path MTU is smaller than the datagram: the hop may be fine (the kernel already
    // learnt the MTU; SIP over UDP over the MTU should move to TCP, RFC 3261 §18.1.1).
    case ICMP_FRAG_NEEDED:
      return {false, "frag_needed"};
    case ICMP_PROT_UNREACH:
      return {false, "protocol_unreachable"};
    default:
      return {false, "unreachable_other"};
  }
}

// RFC 4443 §3.1 destination unreachable codes.
IcmpVerdict classify_v6_unreachable(uint8_t code) {
  switch (code) {
    case ICMP6_DST_UNREACH_NOROUTE:
      return {true, "no_route"};
    case ICMP6_DST_UNREACH_ADMIN:
      return {true, "admin_prohibited"};
    case ICMP6_DST_UNREACH_ADDR:
      return {true, "address_unreachable"};
    case ICMP6_DST_UNREACH_NOPORT:
      return {true, "port_unreachable"};
    // 2 beyond scope, 5 source address failed policy, 6 reject route: about our source
    // address or a route's configuration, not about the hop.
    default:
      return {false, "unreachable_other"};
  }
}

}  // namespace

IcmpVerdict classify_icmp_error(uint8_t origin, uint8_t type, uint8_t code) {
  if (origin == SO_EE_ORIGIN_ICMP) {
    switch (type) {
      case ICMP_DEST_UNREACH:
        return classify_v4_unreachable(code);
      case ICMP_SOURCE_QUENCH:
        return {false, "source_quench"};
      case ICMP_REDIRECT:
        return {false, "redirect"};
      case ICMP_TIME_EXCEEDED:
        return {false, "time_exceeded"};
      case ICMP_PARAMETERPROB:
        return {false, "parameter_problem"};
      default:
        return {false, "icmp_other"};
    }
  }
  if (origin == SO_EE_ORIGIN_ICMP6) {
    switch (type) {
      case ICMP6_DST_UNREACH:
        return classify_v6_unreachable(code);
      case ICMP6_PACKET_TOO_BIG:
        return {false, "packet_too_big"};
      case ICMP6_TIME_EXCEEDED:
        return {false, "time_exceeded"};
      case ICMP6_PARAM_PROB:
        return {false, "parameter_problem"};
      default:
        return {false, "icmp_other"};
    }
  }
  // SO_EE_ORIGIN_LOCAL, _TXSTATUS, _ZEROCOPY, _TXTIME: our own kernel, not the hop.
  return {false, "not_icmp"};
}

}  // namespace sipedge::net
