// The one place a parsed sip::Uri becomes a ResolveRequest, so the resolver core does not
// depend on the SIP parser.
#pragma once

#include <string>

#include "resolve/resolve_types.h"
#include "sipedge/expected.h"
#include "sip/uri.h"

namespace sipedge::resolve {

// Builds the request for a sip:/sips: URI (host, port, lower-cased transport=). Fails with
// a message naming the fault for other schemes or a URI without a host.
Expected<ResolveRequest, std::string> request_from_uri(const sip::Uri& uri);

}  // namespace sipedge::resolve
