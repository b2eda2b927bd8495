#include "identity/http_fetch.hpp"

#include <dlfcn.h>

#include <curl/curl.h>
#include <memory>

#include "config/identity_config.hpp"

namespace asocat::identity {
namespace {

// libcurl is loaded when a fetch is made, not linked: its dependencies (Kerberos, LDAP, SSH,
// HTTP/2, IDN) would add about 1 ms of dynamic loading to every audited socat, which most
// sessions never need.
class Curl {
public:
    static util::Expected<Curl> load() {
        std::unique_ptr<void, Unload> library(::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL));
        if (!library) {
            return util::Error(std::string("cannot load libcurl (install libcurl4): ") +
                               ::dlerror());
        }
        Curl curl;
        const bool found = bind(library.get(), "curl_easy_init", curl.easy_init) &&
                           bind(library.get(), "curl_easy_cleanup", curl.easy_cleanup) &&
                           bind(library.get(), "curl_easy_setopt", curl.easy_setopt) &&
                           bind(library.get(), "curl_easy_perform", curl.easy_perform) &&
                           bind(library.get(), "curl_easy_getinfo", curl.easy_getinfo) &&
                           bind(library.get(), "curl_easy_strerror", curl.easy_strerror) &&
                           bind(library.get(), "curl_slist_append", curl.slist_append) &&
                           bind(library.get(), "curl_slist_free_all", curl.slist_free_all);
        if (!found) {
            return util::Error("libcurl.so.4 lacks a function audited-socat needs");
        }
        curl.m_library = std::move(library);
        return curl;
    }

    CURL* (*easy_init)() = nullptr;
    void (*easy_cleanup)(CURL*) = nullptr;
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*easy_perform)(CURL*) = nullptr;
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
    const char* (*easy_strerror)(CURLcode) = nullptr;
    curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
    void (*slist_free_all)(curl_slist*) = nullptr;

private:
    struct Unload {
        void operator()(void* library) const { ::dlclose(library); }
    };
    template <class Function>
    static bool bind(void* library, const char* name, Function& function) {
        function = reinterpret_cast<Function>(::dlsym(library, name));
        return function != nullptr;
    }
    std::unique_ptr<void, Unload> m_library;
};

struct Body {
    std::string text;
    std::size_t limit = 0;
    bool overflow = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* context) {
    auto* body = static_cast<Body*>(context);
    const std::size_t n = size * count;
    if (body->text.size() + n > body->limit) {
        body->overflow = true;
        return 0; // curl stops with CURLE_WRITE_ERROR
    }
    body->text.append(data, n);
    return n;
}

std::string without_query(const std::string& url) {
    return url.substr(0, url.find_first_of("?#"));
}

} // namespace

util::Expected<HttpResponse> http_get(const HttpRequest& request) {
    const std::string shown = without_query(request.url);
    if (const auto why = config::unacceptable_url(request.url); !why.empty()) {
        return util::Error("will not fetch " + shown + ": " + why);
    }
    auto lib = Curl::load();
    if (!lib) {
        return lib.error().with_context("cannot fetch " + shown);
    }
    const auto cleanup = [&](CURL* handle) { lib->easy_cleanup(handle); };
    const auto free_list = [&](curl_slist* list) { lib->slist_free_all(list); };
    std::unique_ptr<CURL, decltype(cleanup)> curl(lib->easy_init(), cleanup);
    if (!curl) {
        return util::Error("cannot fetch " + shown + ": libcurl failed to start");
    }
    std::unique_ptr<curl_slist, decltype(free_list)> headers(nullptr, free_list);
    for (const auto& header : request.headers) {
        curl_slist* grown = lib->slist_append(headers.get(), header.c_str());
        if (grown == nullptr) {
            return util::Error("cannot fetch " + shown + ": out of memory");
        }
        (void)headers.release(); // now owned by `grown`, the list's new head
        headers.reset(grown);
    }
    Body body;
    body.limit = request.max_bytes;
    char error[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    const long timeout = static_cast<long>(request.timeout_ms);
    const bool set = lib->easy_setopt(h, CURLOPT_URL, request.url.c_str()) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http") == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_NOPROXY, "*") == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_WRITEDATA, &body) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_ERRORBUFFER, error) == CURLE_OK &&
                     lib->easy_setopt(h, CURLOPT_USERAGENT, "audited-socat") == CURLE_OK;
    if (!set) {
        return util::Error("cannot fetch " + shown + ": libcurl refused an option");
    }
    const CURLcode done = lib->easy_perform(h);
    if (body.overflow) {
        return util::Error("cannot fetch " + shown + ": the response is larger than " +
                           std::to_string(request.max_bytes) + " bytes");
    }
    if (done != CURLE_OK) {
        return util::Error("cannot fetch " + shown + ": " +
                           (error[0] != '\0' ? std::string(error) : lib->easy_strerror(done)));
    }
    HttpResponse response;
    lib->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(body.text);
    return response;
}

std::string url_encode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        }
    }
    return out;
}

} // namespace asocat::identity
