#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How the certificates here were made, once: run from this directory. The
# keys are throw-away and deleted at the end; only the certificates are
# kept, and tests/unit/test-x509-info.c checks their fields exactly, so
# running this again means updating that table (fingerprints, serials).
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ca.cnf" <<'CNF'
[ca]
default_ca = ca
[ca]
dir = TMP
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = optional
[req]
distinguished_name = dn
utf8 = yes
string_mask = utf8only
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[sign]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation
certificatePolicies = 2.16.792.1.2.1.1.5.7.1.1, 0.4.0.194112.1.2
authorityInfoAccess = OCSP;URI:http://ocsp.kart.test/, caIssuers;URI:http://ca.kart.test/root.crt, caIssuers;URI:ldap://ldap.kart.test/cn=root
[auth]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment, keyAgreement
extendedKeyUsage = clientAuth, emailProtection, 1.3.6.1.4.1.311.20.2.2, 1.3.6.1.4.1.99999.7
certificatePolicies = 2.16.792.1.2.1.1.5.7.3.1
authorityInfoAccess = OCSP;URI:https://ocsp.kart.test/auth
[expired]
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
[none]
CNF
sed -i "s|TMP|$tmp|" "$tmp/ca.cnf"
: >"$tmp/index.txt"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key"; }

# cert NAME SERIAL SUBJECT START END EXTENSIONS [SELFSIGN]
cert() {
        key "$1"
        openssl req -new -config "$tmp/ca.cnf" -key "$tmp/$1.key" -subj "$3" -utf8 \
                -out "$tmp/$1.csr"
        echo "$2" >"$tmp/serial"
        if [ "${7:-}" = self ]; then sign="-selfsign -keyfile $tmp/$1.key"
        else sign="-cert $tmp/root.crt -keyfile $tmp/root.key"; fi
        # shellcheck disable=SC2086
        openssl ca -batch -config "$tmp/ca.cnf" -utf8 -preserveDN -notext $sign \
                -startdate "$4" -enddate "$5" -extensions "$6" \
                -in "$tmp/$1.csr" -out "$tmp/$1.crt"
        openssl x509 -in "$tmp/$1.crt" -outform DER -out "$1.der"
}

cert root 01 "/C=TR/O=KART Project/CN=KART Test Root CA" \
        20240101000000Z 20510101000000Z root self
cert sign 1A2B3C4D5E6F "/C=TR/O=KART Project/serialNumber=12345678901/CN=Ayşe Yılmaz" \
        250301120000Z 270301120000Z sign
cert auth 00F00D "/C=TR/O=KART Project/CN=Ayşe Yılmaz/emailAddress=ayse@kart.test" \
        250301120000Z 270301120000Z auth
cert expired 0A "/C=TR/CN=Expired Test" 200101000000Z 210101000000Z expired
cert noext 7F "/CN=No Extensions" 250101000000Z 350101000000Z none
