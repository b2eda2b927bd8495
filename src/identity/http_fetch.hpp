// One HTTP GET with libcurl, for an issuer's JWKS and a CI runner's token endpoint: bounded in
// time and size, no redirects, no proxies from the environment, https:// (or http:// to a
// loopback host) only. It never hangs the wrapper: the whole exchange has a deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace asocat::identity {

struct HttpRequest {
    std::string url;
    std::vector<std::string> headers; // "Name: value"
    std::int64_t timeout_ms = 5000;   // for the whole exchange, connecting included
    std::size_t max_bytes = 1 << 20;  // a longer body is an error
};

struct HttpResponse {
    long status = 0;
    std::string body;
};

// The response, whatever its status; an error when no complete response arrived in time.
// Messages name the URL without its query (which may carry secrets).
util::Expected<HttpResponse> http_get(const HttpRequest& request);

// `text` percent-encoded for a query parameter value.
std::string url_encode(const std::string& text);

} // namespace asocat::identity
