#!/usr/bin/env bash
# TEST ONLY. Regenerates the TLS fixtures in this directory (Tests/Fixtures/tls) with the
# `openssl` command-line tool (OpenSSL 3.0 or later). Every certificate and key made here is
# for the sandbox and the tests only: never trust these CAs anywhere else (no system trust
# store, no browser), never use these keys for anything real.
#
# The CAs' private keys are thrown away at the end, so nobody can issue more certificates under
# these CAs; run the script again to make a new set (then update
# Sources/WalletBridgeSandbox/SandboxTLSCredentials.swift, which embeds the CA, the server
# certificate and its key: the test `embeddedIdentityMatchesTheFixtures` checks they agree).
#
# Usage: Tests/Fixtures/tls/make-fixtures.sh   (from anywhere)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# Valid certificates run from 2020-01-01 to 2047-01-01: 20 years from when they were made (2026),
# and already valid on a machine whose clock is behind. The expired one ran out in 2021.
valid_from=20200101000000Z
valid_until=20470101000000Z
header() { # $1: what the file is
    printf '# TEST ONLY: %s\n# WalletBridge test fixture (Tests/Fixtures/tls/make-fixtures.sh); never trust or use it outside the tests and the sandbox.\n' "$1"
}
emit() { # $1: target file name, $2: description, $3: PEM source
    { header "$2"; cat "$3"; } >"$here/$1"
}
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# `openssl ca` signs everything, because `openssl x509 -req` of OpenSSL 3.0 cannot set a start date.
cat >ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
organizationName = optional
commonName = supplied
CNF
: >index.txt

sign() { # $1: name, $2: CA name (or "self"), $3: common name, $4: extensions, $5: start, $6: end
    key "$1-key.pem"
    openssl req -new -key "$1-key.pem" -subj "/O=WalletBridge TEST ONLY/CN=$3" -out "$1.csr"
    printf '[ ext ]\n%s\n' "$4" >"$1.ext"
    openssl rand -hex 16 >serial
    if [ "$2" = self ]; then
        signer=(-selfsign -keyfile "$1-key.pem")
    else
        signer=(-cert "$2.pem" -keyfile "$2-key.pem")
    fi
    openssl ca -batch -config ca.cnf -notext "${signer[@]}" -startdate "$5" -enddate "$6" \
        -extfile "$1.ext" -extensions ext -in "$1.csr" -out "$1.pem" 2>/dev/null
}
ca() { # $1: name, $2: common name
    sign "$1" self "$2" "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash" "$valid_from" "$valid_until"
}
leaf() { # $1: name, $2: CA name, $3: common name, $4: extended key usage, $5: subjectAltName or "", $6/$7: dates (optional)
    local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=$4
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
    [ -n "$5" ] && ext="$ext
subjectAltName=$5"
    sign "$1" "$2" "$3" "$ext" "${6:-$valid_from}" "${7:-$valid_until}"
}

# The test CA, and the server certificate the sandbox presents by default (localhost, 127.0.0.1, ::1).
ca ca "WalletBridge TEST ONLY sandbox CA"
leaf server ca "localhost" serverAuth "DNS:localhost,IP:127.0.0.1,IP:::1"
# Signed by the test CA, but for another name only (hostname mismatch).
leaf wrong-host ca "wrong.example" serverAuth "DNS:wrong.example"
# Signed by the test CA, valid for 127.0.0.1, but expired in 2021.
leaf expired ca "localhost (expired)" serverAuth "DNS:localhost,IP:127.0.0.1,IP:::1" 20200101000000Z 20210101000000Z

# A CA nobody trusts, and a server certificate for 127.0.0.1 signed by it.
ca unknown-ca "WalletBridge TEST ONLY unknown CA"
leaf unknown-ca-server unknown-ca "localhost" serverAuth "DNS:localhost,IP:127.0.0.1,IP:::1"
# A client certificate signed by the unknown CA (a sandbox that wants client certificates refuses it).
leaf unknown-ca-client unknown-ca "WalletBridge TEST ONLY stray client" clientAuth ""

# The CA of client certificates, and the test merchant's client certificate (mutual TLS).
ca client-ca "WalletBridge TEST ONLY client CA"
leaf client client-ca "WalletBridge TEST ONLY merchant client" clientAuth ""

emit test-only-ca.pem "the sandbox's test CA certificate (the CA bundle a client passes to reach a TLS sandbox)" ca.pem
emit test-only-server.pem "the sandbox's server certificate (localhost, 127.0.0.1, ::1), signed by test-only-ca.pem" server.pem
emit test-only-server-key.pem "the private key of test-only-server.pem" server-key.pem
emit test-only-wrong-host.pem "a server certificate for wrong.example only, signed by test-only-ca.pem" wrong-host.pem
emit test-only-wrong-host-key.pem "the private key of test-only-wrong-host.pem" wrong-host-key.pem
emit test-only-expired.pem "an expired server certificate (2020-01-01 to 2021-01-01) for localhost and 127.0.0.1, signed by test-only-ca.pem" expired.pem
emit test-only-expired-key.pem "the private key of test-only-expired.pem" expired-key.pem
emit test-only-unknown-ca.pem "a CA certificate nobody trusts" unknown-ca.pem
emit test-only-unknown-ca-server.pem "a server certificate (localhost, 127.0.0.1) signed by test-only-unknown-ca.pem" unknown-ca-server.pem
emit test-only-unknown-ca-server-key.pem "the private key of test-only-unknown-ca-server.pem" unknown-ca-server-key.pem
emit test-only-unknown-ca-client.pem "a client certificate signed by test-only-unknown-ca.pem" unknown-ca-client.pem
emit test-only-unknown-ca-client-key.pem "the private key of test-only-unknown-ca-client.pem" unknown-ca-client-key.pem
emit test-only-client-ca.pem "the CA of the sandbox's accepted client certificates" client-ca.pem
emit test-only-client.pem "the test merchant's client certificate, signed by test-only-client-ca.pem" client.pem
emit test-only-client-key.pem "the private key of test-only-client.pem" client-key.pem

echo "TLS fixtures written to $here (TEST ONLY)"
