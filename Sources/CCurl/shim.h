// Typed wrappers for libcurl's variadic calls, which Swift cannot import.
// One wrapper per argument type, so each call site states what it passes.
#ifndef WALLETBRIDGE_CCURL_SHIM_H
#define WALLETBRIDGE_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*wb_curl_data_callback)(char *data, size_t size, size_t count, void *user);

static inline CURLcode wb_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_setopt_callback(CURL *handle, CURLoption option, wb_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode wb_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode wb_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode wb_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode wb_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The easy handle a finished multi message is about, and its result code.
static inline CURLcode wb_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
