// ICMP is a hint: which errors from the socket error queue (linux/errqueue.h,
// sock_extended_err) may count as a next hop failing. Anyone on the path can forge an ICMP
// error, and most types say nothing about whether the hop is up (a smaller MTU, a routing
// loop, a redirect), so only "destination unreachable" with codes that mean "nothing will
// take this datagram there" count; the caller still weighs them (HopQuarantine).
#pragma once

#include <cstdint>

namespace sipedge::net {

struct IcmpVerdict {
  bool hop_failure = false;  // true: may quarantine the hop; false: log/count only
  const char* name = "";     // static, snake_case: for log lines and metric labels
};

// Classifies a sock_extended_err's (ee_origin, ee_type, ee_code). Pure, no allocation.
IcmpVerdict classify_icmp_error(uint8_t origin, uint8_t type, uint8_t code);

}  // namespace sipedge::net
