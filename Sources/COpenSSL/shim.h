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

/* OPENSSL_free is a macro over CRYPTO_free. */
static inline void wb_openssl_free(void *p) { OPENSSL_free(p); }

/* The key-type id of an RSA key (NID_rsaEncryption), exposed as a function. */
static inline int wb_evp_pkey_rsa(void) { return EVP_PKEY_RSA; }

/* OPENSSL_VERSION_TEXT is a string macro. */
static inline const char *wb_openssl_version_text(void) { return OPENSSL_VERSION_TEXT; }

#endif
