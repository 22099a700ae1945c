// Contexts built from the shared test PKI, so each test states only what differs.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_pki.h"
#include "tls/client_context.h"
#include "tls/server_context.h"

namespace sipedge::tls::testing {

inline ServerConfig server_config(const std::string& certificate_name) {
  const TestPki& pki = shared_pki();
  ServerConfig c;
  c.certificate = pki.get(certificate_name).certificate_path;
  c.key = pki.get(certificate_name).key_path;
  c.ca = pki.get("ca").certificate_path;
  return c;
}

inline ClientConfig client_config(const std::string& client_certificate_name = "") {
  const TestPki& pki = shared_pki();
  ClientConfig c;
  c.ca = pki.get("ca").certificate_path;
  if (!client_certificate_name.empty()) {
    c.certificate = pki.get(client_certificate_name).certificate_path;
    c.key = pki.get(client_certificate_name).key_path;
  }
  return c;
}

inline std::shared_ptr<const ServerContext> make_server(const ServerConfig& c) {
  auto ctx = ServerContext::create(c);
  EXPECT_TRUE(ctx.has_value()) << (ctx ? "" : ctx.error());
  return ctx ? *ctx : nullptr;
}

inline std::shared_ptr<const ClientContext> make_client(const ClientConfig& c) {
  auto ctx = ClientContext::create(c);
  EXPECT_TRUE(ctx.has_value()) << (ctx ? "" : ctx.error());
  return ctx ? *ctx : nullptr;
}

}  // namespace sipedge::tls::testing
