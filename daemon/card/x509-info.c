/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hexutil.h"
#include "macro.h"
#include "strutil.h"
#include "strv.h"
#include "x509-info.h"

/* Far more than any certificate has; bounds what a card can make us
 * allocate for the lists. */
#define MAX_LIST 64

DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BIGNUM *, BN_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_BIT_STRING *, ASN1_BIT_STRING_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BASIC_CONSTRAINTS *, BASIC_CONSTRAINTS_free);

static void eku_freep(EXTENDED_KEY_USAGE **p) {
        sk_ASN1_OBJECT_pop_free(*p, ASN1_OBJECT_free);
}

static void policies_freep(CERTIFICATEPOLICIES **p) {
        sk_POLICYINFO_pop_free(*p, POLICYINFO_free);
}

static void aia_freep(AUTHORITY_INFO_ACCESS **p) {
        sk_ACCESS_DESCRIPTION_pop_free(*p, ACCESS_DESCRIPTION_free);
}

static void openssl_freep(void *p) {
        OPENSSL_free(*(void **) p);
}

void cert_info_done(CertInfo *c) {
        if (!c)
                return;
        free(c->subject);
        free(c->subject_cn);
        free(c->issuer);
        free(c->serial);
        free(c->sha256);
        strv_free(c->key_usage);
        strv_free(c->extended_key_usage);
        strv_free(c->policies);
        strv_free(c->ocsp_urls);
        strv_free(c->ca_issuer_urls);
        *c = (CertInfo) {};
}

/* A name in RFC 2253 form, with non-ASCII characters as UTF-8 rather than
 * \XX escapes; control characters stay escaped. (OpenSSL refuses names
 * with invalid UTF-8 already when decoding the certificate.) */
static int name_to_string(const X509_NAME *name, char **ret) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        char *data;
        long n;

        if (!b)
                return -ENOMEM;
        if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
                return -EBADMSG;
        n = BIO_get_mem_data(b, &data);
        if (n < 0)
                return -EBADMSG;
        *ret = utf8_sanitize((const uint8_t *) data, (size_t) n);
        return *ret ? 0 : -ENOMEM;
}

/* The most specific (last) commonName, or "". */
static int name_cn(const X509_NAME *name, char **ret) {
        _cleanup_(openssl_freep) unsigned char *utf8 = NULL;
        int i = -1, last = -1, n = 0;

        while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
                last = i;
        if (last >= 0)
                n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
        if (n < 0)
                return -EBADMSG;
        *ret = utf8_sanitize(utf8 ? utf8 : (const unsigned char *) "", (size_t) n);
        return *ret ? 0 : -ENOMEM;
}

static int serial_to_string(const ASN1_INTEGER *serial, char **ret) {
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
        _cleanup_(openssl_freep) char *hex = NULL;

        if (!bn)
                return -EBADMSG;
        hex = BN_bn2hex(bn);
        if (!hex)
                return -ENOMEM;
        *ret = strdup(hex);
        return *ret ? 0 : -ENOMEM;
}

static int time_to_epoch(const ASN1_TIME *t, uint64_t *ret) {
        struct tm tm = {};
        time_t s;

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
                return -EBADMSG;
        s = timegm(&tm);
        *ret = s > 0 ? (uint64_t) s : 0;
        return 0;
}

static int digest_to_string(X509 *x, char **ret) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (X509_digest(x, EVP_sha256(), md, &n) != 1)
                return -ENOMEM;
        *ret = hex_encode(md, n);
        return *ret ? 0 : -ENOMEM;
}

/* Appends the dotted form of an OID, or its OpenSSL short name when
 * short_name and it has one. */
static int push_oid(char ***l, const ASN1_OBJECT *o, bool short_name) {
        char buf[128];
        int nid = OBJ_obj2nid(o);
        int n;

        if (strv_length(*l) >= MAX_LIST)
                return 0;
        if (short_name && nid != NID_undef && OBJ_nid2sn(nid))
                return strv_push(l, strdup(OBJ_nid2sn(nid)));
        n = OBJ_obj2txt(buf, sizeof buf, o, 1);
        if (n <= 0 || (size_t) n >= sizeof buf)
                return 0;       /* an OID too long to be real: left out */
        return strv_push(l, utf8_sanitize((const uint8_t *) buf, (size_t) n));
}

/* keyUsage named bits, in order (RFC 5280; bit 1 is also called
 * contentCommitment). */
static const char *const key_usage_names[] = {
        "digitalSignature", "nonRepudiation", "keyEncipherment",
        "dataEncipherment", "keyAgreement", "keyCertSign",
        "cRLSign", "encipherOnly", "decipherOnly",
};

static int parse_key_usage(X509 *x, CertInfo *c) {
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, NULL, NULL);
        int r;

        for (size_t i = 0; ku && i < ELEMENTSOF(key_usage_names); i++)
                if (ASN1_BIT_STRING_get_bit(ku, (int) i)) {
                        r = strv_push(&c->key_usage, strdup(key_usage_names[i]));
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int parse_extended_key_usage(X509 *x, CertInfo *c) {
        _cleanup_(eku_freep) EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
        int r;

        for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
                r = push_oid(&c->extended_key_usage, sk_ASN1_OBJECT_value(eku, i), true);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_policies(X509 *x, CertInfo *c) {
        _cleanup_(policies_freep) CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
        int r;

        for (int i = 0; i < sk_POLICYINFO_num(cp); i++) {
                r = push_oid(&c->policies, sk_POLICYINFO_value(cp, i)->policyid, false);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; c->policies[i]; i++)
                if (streq(c->policies[i], CERT_POLICY_KAMUSM_NES))
                        c->qualified = true;
        return 0;
}

/* Only what our HTTP client can fetch: an http or https URI of plain,
 * printable ASCII (an IA5String may hold control characters; a URI may
 * not). */
static bool uri_acceptable(const ASN1_IA5STRING *s) {
        const unsigned char *p = ASN1_STRING_get0_data(s);
        int n = ASN1_STRING_length(s);

        if (n <= 0 || n > 2048)
                return false;
        for (int i = 0; i < n; i++)
                if (p[i] <= 0x20 || p[i] >= 0x7F)
                        return false;
        return (n > 7 && strncasecmp((const char *) p, "http://", 7) == 0) ||
               (n > 8 && strncasecmp((const char *) p, "https://", 8) == 0);
}

static int parse_aia(X509 *x, CertInfo *c) {
        _cleanup_(aia_freep) AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
        int r;

        for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
                const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
                int nid = OBJ_obj2nid(ad->method);
                const ASN1_IA5STRING *uri;
                char ***l;

                if (nid == NID_ad_OCSP)
                        l = &c->ocsp_urls;
                else if (nid == NID_ad_ca_issuers)
                        l = &c->ca_issuer_urls;
                else
                        continue;
                if (ad->location->type != GEN_URI)
                        continue;       /* a directoryName or the like: nothing to fetch */
                uri = ad->location->d.uniformResourceIdentifier;
                if (!uri_acceptable(uri) || strv_length(*l) >= MAX_LIST)
                        continue;
                r = strv_push(l, strndup((const char *) ASN1_STRING_get0_data(uri),
                                         (size_t) ASN1_STRING_length(uri)));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_basic_constraints(X509 *x, CertInfo *c) {
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);

        c->ca = bc && bc->ca;
        return 0;
}

static int parse_x509(const uint8_t *der, size_t len, CertInfo *c) {
        const unsigned char *p = der;
        _cleanup_(X509_freep) X509 *x = NULL;
        int r;

        if (!der || len == 0 || len > LONG_MAX)
                return -EBADMSG;
        x = d2i_X509(NULL, &p, (long) len);
        if (!x || p != der + len)
                return -EBADMSG;

        r = name_to_string(X509_get_subject_name(x), &c->subject);
        if (r >= 0)
                r = name_cn(X509_get_subject_name(x), &c->subject_cn);
        if (r >= 0)
                r = name_to_string(X509_get_issuer_name(x), &c->issuer);
        if (r >= 0)
                r = serial_to_string(X509_get0_serialNumber(x), &c->serial);
        if (r >= 0)
                r = time_to_epoch(X509_get0_notBefore(x), &c->not_before);
        if (r >= 0)
                r = time_to_epoch(X509_get0_notAfter(x), &c->not_after);
        if (r >= 0)
                r = digest_to_string(x, &c->sha256);
        if (r < 0)
                return r;

        c->key_usage = strv_new_empty();
        c->extended_key_usage = strv_new_empty();
        c->policies = strv_new_empty();
        c->ocsp_urls = strv_new_empty();
        c->ca_issuer_urls = strv_new_empty();
        if (!c->key_usage || !c->extended_key_usage || !c->policies ||
            !c->ocsp_urls || !c->ca_issuer_urls)
                return -ENOMEM;

        r = parse_key_usage(x, c);
        if (r >= 0)
                r = parse_extended_key_usage(x, c);
        if (r >= 0)
                r = parse_policies(x, c);
        if (r >= 0)
                r = parse_aia(x, c);
        if (r >= 0)
                r = parse_basic_constraints(x, c);
        return r;
}

int cert_info_parse(const uint8_t *der, size_t len, CertInfo *ret) {
        CertInfo c = {};
        int r;

        r = parse_x509(der, len, &c);
        /* What OpenSSL queued about a bad certificate is of no use later
         * on this thread. */
        ERR_clear_error();
        if (r < 0) {
                cert_info_done(&c);
                *ret = (CertInfo) {};
                return r;
        }
        *ret = c;
        return 0;
}
