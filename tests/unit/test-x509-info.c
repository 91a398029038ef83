/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cert_info_parse() over the certificates in tests/data/certs (made once by
 * make-certs.sh there), field by field, and over broken ones; and the strv
 * helpers it builds its lists with. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "x509-info.h"

typedef struct Expected {
        const char *file;
        const char *subject, *subject_cn, *issuer, *serial;
        uint64_t not_before, not_after;
        const char *sha256;
        const char *key_usage[4], *extended_key_usage[5], *policies[3];
        bool qualified, ca;
        const char *ocsp_urls[2], *ca_issuer_urls[2];
} Expected;

#define ROOT "CN=KART Test Root CA,O=KART Project,C=TR"

static const Expected certs[] = {
        {
                /* qualified signature: KamuSM NES policy, nonRepudiation,
                 * AIA with an ldap caIssuers that is left out */
                .file = "sign.der",
                .subject = "CN=Ayşe Yılmaz,serialNumber=12345678901,O=KART Project,C=TR",
                .subject_cn = "Ayşe Yılmaz",
                .issuer = ROOT,
                .serial = "1A2B3C4D5E6F",
                .not_before = 1740830400,       /* 2025-03-01 12:00:00 UTC */
                .not_after = 1803902400,        /* 2027-03-01 12:00:00 UTC */
                .sha256 = "978bfb45e59cfba54d1e901165764126d3f821d0c5a84d1de8d55f03f86e588f",
                .key_usage = { "nonRepudiation" },
                .policies = { "2.16.792.1.2.1.1.5.7.1.1", "0.4.0.194112.1.2" },
                .qualified = true,
                .ocsp_urls = { "http://ocsp.kart.test/" },
                .ca_issuer_urls = { "http://ca.kart.test/root.crt" },
        }, {
                /* authentication: EKU with a name OpenSSL knows and one it
                 * does not, a serial with a leading zero byte */
                .file = "auth.der",
                .subject = "emailAddress=ayse@kart.test,CN=Ayşe Yılmaz,O=KART Project,C=TR",
                .subject_cn = "Ayşe Yılmaz",
                .issuer = ROOT,
                .serial = "F00D",
                .not_before = 1740830400,
                .not_after = 1803902400,
                .sha256 = "2a18b0828bd7c6367bc4623078e32bb072b434ed8213c8253e3e9dfa31e81f5f",
                .key_usage = { "digitalSignature", "keyEncipherment", "keyAgreement" },
                .extended_key_usage = { "clientAuth", "emailProtection", "msSmartcardLogin", "1.3.6.1.4.1.99999.7" },
                .policies = { "2.16.792.1.2.1.1.5.7.3.1" },
                .ocsp_urls = { "https://ocsp.kart.test/auth" },
        }, {
                /* the CA, valid past 2050 (a GeneralizedTime) */
                .file = "root.der",
                .subject = ROOT,
                .subject_cn = "KART Test Root CA",
                .issuer = ROOT,
                .serial = "01",
                .not_before = 1704067200,       /* 2024-01-01 */
                .not_after = 2556144000,        /* 2051-01-01 */
                .sha256 = "f8c3d64128eb86a002d30c1d3a1b6789e5e56845df85a0a47d7f9f9f9b25992f",
                .key_usage = { "keyCertSign", "cRLSign" },
                .ca = true,
        }, {
                .file = "expired.der",
                .subject = "CN=Expired Test,C=TR",
                .subject_cn = "Expired Test",
                .issuer = ROOT,
                .serial = "0A",
                .not_before = 1577836800,       /* 2020-01-01 */
                .not_after = 1609459200,        /* 2021-01-01 */
                .sha256 = "7410f94993198ee01b052033e628d5324f6ea925f0bb57cc045eff78ee545882",
                .key_usage = { "digitalSignature" },
                .extended_key_usage = { "clientAuth" },
        }, {
                /* X.509 v1: no extensions at all */
                .file = "noext.der",
                .subject = "CN=No Extensions",
                .subject_cn = "No Extensions",
                .issuer = ROOT,
                .serial = "7F",
                .not_before = 1735689600,       /* 2025-01-01 */
                .not_after = 2051222400,        /* 2035-01-01 */
                .sha256 = "7a8bc39547ea44041ba7e5b21a713e6b736bac7a51442dc119529b00e9776e33",
        },
};

static uint8_t *read_cert(const char *name, size_t *ret_len) {
        const char *top = getenv("KART_TOP_SRCDIR");
        char path[4096];
        uint8_t *buf;
        FILE *f;
        long n;

        snprintf(path, sizeof path, "%s/tests/data/certs/%s", top && *top ? top : ".", name);
        f = fopen(path, "rbe");
        if (!f)
                fail_msg("Cannot open %s: %s (is KART_TOP_SRCDIR set?)", path, strerror(errno));
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n > 0);
        rewind(f);
        buf = malloc((size_t) n);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        fclose(f);
        *ret_len = (size_t) n;
        return buf;
}

static void check_list(char **got, const char *const *want, size_t size) {
        size_t n = 0;

        assert_non_null(got);
        while (n < size && want[n])
                n++;
        assert_int_equal(strv_length(got), n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(got[i], want[i]);
}

static void test_table(_unused_ void **state) {
        for (size_t i = 0; i < ELEMENTSOF(certs); i++) {
                const Expected *e = &certs[i];
                _cleanup_free_ uint8_t *der = NULL;
                CertInfo c;
                size_t len;

                print_message("# %s\n", e->file);
                der = read_cert(e->file, &len);
                assert_int_equal(cert_info_parse(der, len, &c), 0);
                assert_string_equal(c.subject, e->subject);
                assert_string_equal(c.subject_cn, e->subject_cn);
                assert_string_equal(c.issuer, e->issuer);
                assert_string_equal(c.serial, e->serial);
                assert_int_equal(c.not_before, e->not_before);
                assert_int_equal(c.not_after, e->not_after);
                assert_string_equal(c.sha256, e->sha256);
                check_list(c.key_usage, e->key_usage, ELEMENTSOF(e->key_usage));
                check_list(c.extended_key_usage, e->extended_key_usage, ELEMENTSOF(e->extended_key_usage));
                check_list(c.policies, e->policies, ELEMENTSOF(e->policies));
                assert_int_equal(c.qualified, e->qualified);
                assert_int_equal(c.ca, e->ca);
                check_list(c.ocsp_urls, e->ocsp_urls, ELEMENTSOF(e->ocsp_urls));
                check_list(c.ca_issuer_urls, e->ca_issuer_urls, ELEMENTSOF(e->ca_issuer_urls));
                cert_info_done(&c);
                assert_null(c.subject);
                cert_info_done(&c);     /* twice is fine */
        }
        cert_info_done(NULL);
}

static void expect_bad(const uint8_t *der, size_t len) {
        CertInfo c;

        memset(&c, 0x55, sizeof c);
        assert_int_equal(cert_info_parse(der, len, &c), -EBADMSG);
        /* zeroed: safe to pass to cert_info_done() */
        assert_null(c.subject);
        assert_null(c.sha256);
        assert_null(c.key_usage);
        assert_false(c.qualified);
        cert_info_done(&c);
}

static void test_broken(_unused_ void **state) {
        static const uint8_t garbage[] = "not a certificate, just text";
        _cleanup_free_ uint8_t *der = NULL, *longer = NULL;
        size_t len;

        der = read_cert("sign.der", &len);

        /* every truncation */
        for (size_t n = 0; n < len; n++)
                expect_bad(der, n);
        /* trailing bytes: one zero, and a second certificate */
        longer = malloc(2 * len);
        assert_non_null(longer);
        memcpy(longer, der, len);
        longer[len] = 0;
        expect_bad(longer, len + 1);
        memcpy(longer + len, der, len);
        expect_bad(longer, 2 * len);
        /* garbage, an empty SEQUENCE, nothing at all */
        expect_bad(garbage, sizeof garbage);
        expect_bad((const uint8_t[]) { 0x30, 0x00 }, 2);
        expect_bad(der, 0);
        expect_bad(NULL, 0);
        /* the outer length claims more than there is */
        memcpy(longer, der, len);
        longer[3]++;
        expect_bad(longer, len);
}

/* Name strings altered inside a certificate (its signature no longer
 * matters: nothing is verified here). */
static void test_odd_names(_unused_ void **state) {
        _cleanup_free_ uint8_t *der = NULL;
        uint8_t *s;
        CertInfo c;
        size_t len;

        der = read_cert("sign.der", &len);
        s = memmem(der, len, "\xc5\x9f", 2);    /* the ş of Ayşe */
        assert_non_null(s);

        /* a control character: escaped in the DN, '?' in the CN */
        s[0] = '\n';
        s[1] = 'A';
        assert_int_equal(cert_info_parse(der, len, &c), 0);
        assert_string_equal(c.subject, "CN=Ay\\0AAe Yılmaz,serialNumber=12345678901,O=KART Project,C=TR");
        assert_string_equal(c.subject_cn, "Ay?Ae Yılmaz");
        cert_info_done(&c);

        /* invalid UTF-8 in a UTF8String: OpenSSL refuses the name */
        s[0] = 0xc5;
        expect_bad(der, len);
}

static void test_strv(_unused_ void **state) {
        _cleanup_strv_free_ char **l = NULL;

        assert_int_equal(strv_length(NULL), 0);
        assert_null(strv_free(NULL));
        assert_int_equal(strv_push(&l, strdup("a")), 0);
        assert_int_equal(strv_push(&l, strdup("b")), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b");
        assert_null(l[2]);
        /* a failed allocation passed on */
        assert_int_equal(strv_push(&l, NULL), -ENOMEM);
        assert_int_equal(strv_length(l), 2);
        l = strv_free(l);
        assert_null(l);

        l = strv_new_empty();
        assert_non_null(l);
        assert_null(l[0]);
        assert_int_equal(strv_length(l), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_broken),
                cmocka_unit_test(test_odd_names),
                cmocka_unit_test(test_strv),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
