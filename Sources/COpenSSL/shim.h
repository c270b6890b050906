#ifndef WALLETBRIDGE_COPENSSL_SHIM_H
#define WALLETBRIDGE_COPENSSL_SHIM_H

/* OpenSSL 3 EVP headers plus static-inline wrappers for what Swift cannot import
   (function-like macros). Nothing here holds state. */
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/core_names.h>
#include <openssl/ssl.h>

/* OPENSSL_free is a macro over CRYPTO_free. */
static inline void wb_openssl_free(void *p) { OPENSSL_free(p); }

/* The key-type id of an RSA key (NID_rsaEncryption), exposed as a function. */
static inline int wb_evp_pkey_rsa(void) { return EVP_PKEY_RSA; }

/* OPENSSL_VERSION_TEXT is a string macro. */
static inline const char *wb_openssl_version_text(void) { return OPENSSL_VERSION_TEXT; }

/* Initialises an HMAC context for `digest` ("SHA256", "SHA512") with `key`. OSSL_PARAM arrays
   hold borrowed pointers, so they are built here, where the literals have static storage. */
static inline int wb_hmac_init(EVP_MAC_CTX *ctx, const char *digest, const unsigned char *key, size_t keylen) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(ctx, key, keylen, params);
}

/* TLS (the sandbox's HTTPS front): the protocol-version bounds, options and modes are macros
   over SSL_CTX_ctrl / option bits. */
static inline int wb_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
static inline int wb_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
static inline void wb_ssl_ctx_no_renegotiation(SSL_CTX *ctx) { SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION); }
static inline void wb_ssl_ctx_accept_moving_write_buffer(SSL_CTX *ctx) { SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER); }
static inline int wb_ssl_filetype_pem(void) { return SSL_FILETYPE_PEM; }
static inline int wb_ssl_verify_require_peer(void) { return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT; }

#endif
