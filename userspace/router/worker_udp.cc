// UDP: multishot recvmsg into the provided buffer ring, ICMP errors from the error queue
// (RFC 3263 §4.3 failover), sends batched per loop turn.
#include <time.h>
// linux/errqueue.h needs struct timespec first.
#include <linux/errqueue.h>
#include <netinet/in.h>

#include "net/icmp_error.h"
#include "net/sockets.h"
#include "router/worker.h"

namespace sipedge::router {

using net::OpKind;

void Worker::arm_udp_recv(uint32_t i) {
  io_uring_sqe* s = ring_->sqe();
  io_uring_prep_recvmsg_multishot(s, udp_[i].fd.get(), &udp_[i].msg, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = udp_buffers_->group();
  io_uring_sqe_set_data64(s, net::make_user_data(OpKind::kUdpRecv, i));
}

void Worker::on_udp_recv(uint32_t i, const io_uring_cqe* cqe) {
  UdpListener& l = udp_[i];
  bool more = cqe->flags & IORING_CQE_F_MORE;
  if (cqe->res < 0) {
    // ENOBUFS: every buffer was in use this turn; anything else is a pending socket error
    // (an ICMP unreachable for a datagram we sent), which ends the multishot.
    if (cqe->res != -ENOBUFS) drain_udp_errors(l.fd.get());
  } else if (cqe->flags & IORING_CQE_F_BUFFER) {
    uint16_t bid = static_cast<uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    uint8_t* buf = udp_buffers_->buffer(bid);
    io_uring_recvmsg_out* out = io_uring_recvmsg_validate(buf, cqe->res, &l.msg);
    net::Endpoint source;
    if (out && out->namelen > 0 &&
        net::endpoint_from_sockaddr(static_cast<sockaddr*>(io_uring_recvmsg_name(out)), &source)) {
      auto* payload = static_cast<const char*>(io_uring_recvmsg_payload(out, &l.msg));
      uint32_t len = io_uring_recvmsg_payload_length(out, cqe->res, &l.msg);
      RxContext rx;
      rx.in.transport = resolve::Transport::kUdp;
      rx.in.source = source;
      rx.in.local = l.local;
      rx.in.flow = trust::pack(trust::FlowToken{trust::FlowKind::kUdp, 0, i, 0});
      rx.udp_fd = l.fd.get();
      rx.arrived_us = now_us_;
      if (out->flags & MSG_TRUNC) {
        // Longer than the buffer (the message size limit): 513 when it looks like a request.
        sip::ParseError e{sip::ParseErrorCode::kTooLarge, "message", "larger than the size limit"};
        on_parse_failure(std::string_view(payload, len), rx, e);
      } else {
        on_datagram(std::string_view(payload, len), rx);
      }
    }
    udp_buffers_->recycle(bid);
  }
  if (!more && !stopping_) arm_udp_recv(i);
}

void Worker::drain_udp_errors(int fd) {
  for (int n = 0; n < 64; ++n) {
    sockaddr_storage offender{};
    char control[512];
    char data[64];
    iovec iov{data, sizeof(data)};
    msghdr msg{};
    msg.msg_name = &offender;
    msg.msg_namelen = sizeof(offender);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
      bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
      if (!v4 && !v6) continue;
      const auto* ee = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
      // msg_name is where the failed datagram was going. An ICMP error is a hint anyone can
      // forge: only unreachable/prohibited count, and a hop that answers needs several.
      net::Endpoint hop;
      if (!net::endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&offender), &hop)) continue;
      net::IcmpVerdict v = net::classify_icmp_error(ee->ee_origin, ee->ee_type, ee->ee_code);
      if (!v.hop_failure ||
          !quarantine_.report_icmp_error(HopTarget{resolve::Transport::kUdp, hop}, now_ms_)) {
        m_.count_event(metrics::Event::kIcmpIgnored);
        continue;
      }
      resolver_->mark_failed(
          resolve::Target{resolve::Transport::kUdp, "", hop.port, hop.address, ""});
      m_.count_failover();
      m_.count_event(metrics::Event::kIcmpHopQuarantined);
      if (log::enabled(log::Level::kWarn) && icmp_log_.allow(now_ms_))
        LOG_WARN("next hop udp %s unreachable (ICMP %s, type %u code %u); quarantined",
                 hop.to_string().c_str(), v.name, ee->ee_type, ee->ee_code);
    }
  }
}

const Worker::UdpListener* Worker::udp_socket_for(const net::Endpoint& to, bool private_port) {
  const UdpListener* first = nullptr;
  size_t candidates = 0;
  for (const UdpListener& u : udp_) {
    if (u.local.address.family != to.address.family) continue;
    if (private_port && u.private_port) return &u;
    if (u.private_port) continue;
    if (!first) first = &u;
    ++candidates;
  }
  if (candidates <= 1) return first;
  net::IpAddress source;
  if (!route_source(to.address, &source)) return first;
  for (const UdpListener& u : udp_)
    if (!u.private_port && u.local.address == source) return &u;
  return first;
}

bool Worker::route_source(const net::IpAddress& to, net::IpAddress* source) {
  RouteSource& slot = route_sources_[net::AddressHash{}(to) % route_sources_.size()];
  if (slot.until_ms > now_ms_ && slot.destination == to) {
    *source = slot.source;
    return true;
  }
  // A connected UDP socket's local address is the kernel's route choice; nothing is sent.
  net::UniqueFd& probe = to.family == 6 ? route_probe6_ : route_probe4_;
  if (!probe)
    probe.reset(socket(to.family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe) return false;
  sockaddr_storage ss;
  socklen_t len = net::endpoint_to_sockaddr(net::Endpoint{to, 5060}, &ss);
  if (connect(probe.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return false;
  net::Endpoint local;
  bool ok = net::local_endpoint(probe.get(), &local);
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  connect(probe.get(), &unspec, sizeof(unspec));
  if (!ok) return false;
  slot = RouteSource{to, local.address, now_ms_ + 60'000};
  *source = local.address;
  return true;
}

void Worker::send_udp(int fd, const net::Endpoint& to, std::string_view bytes) {
  std::span<char> room = batch_.reserve(fd, bytes.size());
  if (room.size() < bytes.size()) return;
  std::memcpy(room.data(), bytes.data(), bytes.size());
  batch_.commit(to, bytes.size());
}

}  // namespace sipedge::router
