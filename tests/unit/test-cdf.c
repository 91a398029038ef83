/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CDF parser against the CDF of our card simulator, one laid out as
 * OpenSC's pkcs15-init writes it, the rarer kinds of certificate object,
 * and every truncation and malformation we could think of. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pkcs15.h"

/* EF 5015/4403 of kart-cardsim, read with opensc-tool: sign, auth and
 * expiring, iDs 01 02 03, in EFs 4411 4412 4413. */
static const uint8_t cdf_sim[] = {
        0x30, 0x1b, 0x30, 0x06, 0x0c, 0x04, 0x73, 0x69, 0x67, 0x6e, 0x30, 0x03,
        0x04, 0x01, 0x01, 0xa1, 0x0c, 0x30, 0x0a, 0x30, 0x08, 0x04, 0x06, 0x3f,
        0x00, 0x50, 0x15, 0x44, 0x11, 0x30, 0x1b, 0x30, 0x06, 0x0c, 0x04, 0x61,
        0x75, 0x74, 0x68, 0x30, 0x03, 0x04, 0x01, 0x02, 0xa1, 0x0c, 0x30, 0x0a,
        0x30, 0x08, 0x04, 0x06, 0x3f, 0x00, 0x50, 0x15, 0x44, 0x12, 0x30, 0x1f,
        0x30, 0x0a, 0x0c, 0x08, 0x65, 0x78, 0x70, 0x69, 0x72, 0x69, 0x6e, 0x67,
        0x30, 0x03, 0x04, 0x01, 0x03, 0xa1, 0x0c, 0x30, 0x0a, 0x30, 0x08, 0x04,
        0x06, 0x3f, 0x00, 0x50, 0x15, 0x44, 0x13,
};

/* CDF as OpenSC's pkcs15-init writes it (pkcs15-id-style mozilla: SHA-1
 * iDs; flags modifiable): a user certificate, then a CA certificate
 * (authority TRUE) in a part of a file (index 128, length 443), 00
 * padding. */
static const uint8_t cdf_opensc[] = {
        0x30, 0x39, 0x30, 0x11, 0x0c, 0x0b, 0x43, 0x65, 0x72, 0x74, 0x69, 0x66,
        0x69, 0x63, 0x61, 0x74, 0x65, 0x03, 0x02, 0x06, 0x40, 0x30, 0x16, 0x04,
        0x14, 0x4a, 0x3f, 0x1c, 0x2e, 0x5d, 0x6b, 0x7a, 0x89, 0x98, 0xa7, 0xb6,
        0xc5, 0xd4, 0xe3, 0xf2, 0x01, 0x1f, 0x2e, 0x3d, 0x4c, 0xa1, 0x0c, 0x30,
        0x0a, 0x30, 0x08, 0x04, 0x06, 0x3f, 0x00, 0x50, 0x15, 0x43, 0x01, 0x30,
        0x4a, 0x30, 0x17, 0x0c, 0x11, 0x4b, 0x41, 0x52, 0x54, 0x20, 0x54, 0x65,
        0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x20, 0x43, 0x41, 0x03, 0x02,
        0x06, 0x40, 0x30, 0x19, 0x04, 0x14, 0x4a, 0x3f, 0x1c, 0x2e, 0x5d, 0x6b,
        0x7a, 0x89, 0x98, 0xa7, 0xb6, 0xc5, 0xd4, 0xe3, 0xf2, 0x01, 0x1f, 0x2e,
        0x3d, 0x4d, 0x01, 0x01, 0xff, 0xa1, 0x14, 0x30, 0x12, 0x30, 0x10, 0x04,
        0x06, 0x3f, 0x00, 0x50, 0x15, 0x43, 0x02, 0x02, 0x02, 0x00, 0x80, 0x80,
        0x02, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* An attribute certificate [0] (skipped); a certificate given directly,
 * with a subclass [0], a credential identifier, the copies of subject,
 * issuer and serial, and a BEL in its label; one referenced by URL only
 * and without a label; FF padding. */
static const uint8_t cdf_kinds[] = {
        0xa0, 0x19, 0x30, 0x06, 0x0c, 0x04, 0x61, 0x74, 0x74, 0x72, 0x30, 0x03,
        0x04, 0x01, 0x09, 0xa1, 0x0a, 0x30, 0x08, 0x30, 0x06, 0x04, 0x04, 0x3f,
        0x00, 0x44, 0x00, 0x30, 0x3d, 0x30, 0x0d, 0x0c, 0x0b, 0x64, 0x69, 0x72,
        0x65, 0x63, 0x74, 0x07, 0x63, 0x65, 0x72, 0x74, 0x30, 0x0e, 0x04, 0x01,
        0x11, 0x01, 0x01, 0x00, 0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0xaa,
        0xa0, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x15, 0x30, 0x13, 0xa0,
        0x06, 0x30, 0x04, 0x02, 0x02, 0x01, 0x02, 0x30, 0x02, 0x31, 0x00, 0xa0,
        0x02, 0x30, 0x00, 0x02, 0x01, 0x05, 0x30, 0x20, 0x30, 0x00, 0x30, 0x03,
        0x04, 0x01, 0x12, 0xa1, 0x17, 0x30, 0x15, 0x16, 0x13, 0x68, 0x74, 0x74,
        0x70, 0x3a, 0x2f, 0x2f, 0x78, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x63,
        0x2e, 0x64, 0x65, 0x72, 0xff, 0xff,
};

static void check_path(const Pkcs15Cert *c, const char *hex_path, int32_t index, int32_t length) {
        uint8_t want[PKCS15_MAX_ID];
        size_t n = strlen(hex_path) / 2;

        for (size_t i = 0; i < n; i++)
                want[i] = (uint8_t) strtoul((char[]) { hex_path[2 * i], hex_path[2 * i + 1], 0 }, NULL, 16);
        assert_int_equal(c->path_len, n);
        assert_memory_equal(c->path, want, n);
        assert_int_equal(c->index, index);
        assert_int_equal(c->length, length);
        assert_null(c->direct);
        assert_int_equal(c->direct_len, 0);
}

static void test_sim(_unused_ void **state) {
        static const char *const labels[] = { "sign", "auth", "expiring" };
        static const char *const paths[] = { "3f0050154411", "3f0050154412", "3f0050154413" };
        Pkcs15Cert *c = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_cdf(cdf_sim, sizeof cdf_sim, &c, &n), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(c[i].label, labels[i]);
                assert_int_equal(c[i].id_len, 1);
                assert_int_equal(c[i].id[0], i + 1);
                assert_false(c[i].authority);
                check_path(&c[i], paths[i], -1, -1);
        }
        pkcs15_certs_free(c, n);
}

static void test_opensc(_unused_ void **state) {
        Pkcs15Cert *c = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_cdf(cdf_opensc, sizeof cdf_opensc, &c, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(c[0].label, "Certificate");
        assert_int_equal(c[0].id_len, 20);
        assert_memory_equal(c[0].id, cdf_opensc + 25, 20);
        assert_false(c[0].authority);
        check_path(&c[0], "3f0050154301", -1, -1);

        assert_string_equal(c[1].label, "KART Test Root CA");
        assert_int_equal(c[1].id_len, 20);
        assert_int_equal(c[1].id[19], 0x4d);
        assert_true(c[1].authority);
        check_path(&c[1], "3f0050154302", 128, 443);
        pkcs15_certs_free(c, n);
}

static void test_kinds(_unused_ void **state) {
        static const uint8_t direct[] = { 0x30, 0x04, 0x02, 0x02, 0x01, 0x02 };
        Pkcs15Cert *c = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_cdf(cdf_kinds, sizeof cdf_kinds, &c, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(c[0].label, "direct?cert");
        assert_int_equal(c[0].id_len, 1);
        assert_int_equal(c[0].id[0], 0x11);
        assert_false(c[0].authority);
        assert_int_equal(c[0].path_len, 0);
        assert_int_equal(c[0].index, -1);
        assert_int_equal(c[0].length, -1);
        assert_int_equal(c[0].direct_len, sizeof direct);
        assert_memory_equal(c[0].direct, direct, sizeof direct);

        /* by URL: neither path nor direct value */
        assert_null(c[1].label);
        assert_int_equal(c[1].id[0], 0x12);
        assert_int_equal(c[1].path_len, 0);
        assert_null(c[1].direct);
        pkcs15_certs_free(c, n);

        /* nothing but padding, or nothing at all */
        c = (Pkcs15Cert *) 1;
        assert_int_equal(pkcs15_parse_cdf((const uint8_t[]) { 0x00, 0xff }, 2, &c, &n), 0);
        assert_null(c);
        assert_int_equal(n, 0);
        assert_int_equal(pkcs15_parse_cdf(NULL, 0, &c, &n), 0);
        assert_int_equal(n, 0);
        pkcs15_certs_free(NULL, 0);
}

/* Every proper prefix: an error, or (the cut right after an object, or in
 * the padding) the certificates before the cut. */
static void test_truncations(_unused_ void **state) {
        static const struct {
                const uint8_t *buf;
                size_t len;
                size_t ends[3];         /* where each top-level object ends */
                size_t counts[3];       /* certificates up to there */
        } files[] = {
                { cdf_sim, sizeof cdf_sim, { 29, 58, 91 }, { 1, 2, 3 } },
                { cdf_opensc, sizeof cdf_opensc, { 59, 135, 135 }, { 1, 2, 2 } },
                { cdf_kinds, sizeof cdf_kinds, { 27, 90, 124 }, { 0, 1, 2 } },
        };

        for (size_t f = 0; f < ELEMENTSOF(files); f++)
                for (size_t len = 0; len < files[f].len; len++) {
                        Pkcs15Cert *c = NULL;
                        size_t n = 0, want = 0;
                        bool ok = len == 0 || len >= files[f].ends[2];
                        int r;

                        for (size_t i = 0; i < 3; i++)
                                if (files[f].ends[i] <= len) {
                                        want = files[f].counts[i];
                                        ok = ok || files[f].ends[i] == len;
                                }
                        r = pkcs15_parse_cdf(files[f].buf, len, &c, &n);
                        if (ok)
                                assert_true(r == 0 && n == want);
                        else
                                assert_int_equal(r, -EBADMSG);
                        if (r >= 0)
                                pkcs15_certs_free(c, n);
                }
}

/* Every byte set to the values that matter to a TLV reader: whatever the
 * outcome, no crash and (under valgrind) no leak. */
static void test_mutations(_unused_ void **state) {
        static const struct {
                const uint8_t *buf;
                size_t len;
        } files[] = {
                { cdf_sim, sizeof cdf_sim },
                { cdf_opensc, sizeof cdf_opensc },
                { cdf_kinds, sizeof cdf_kinds },
        };
        static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x04, 0x1F, 0x30, 0x7F, 0x80, 0x81, 0x82, 0xA0, 0xA1, 0xFF };
        uint8_t buf[256];

        for (size_t f = 0; f < ELEMENTSOF(files); f++)
                for (size_t i = 0; i < files[f].len; i++)
                        for (size_t v = 0; v <= ELEMENTSOF(values); v++) {
                                Pkcs15Cert *c = NULL;
                                size_t n = 0;

                                memcpy(buf, files[f].buf, files[f].len);
                                buf[i] = v < ELEMENTSOF(values) ? values[v] : buf[i] ^ 0x20;
                                if (pkcs15_parse_cdf(buf, files[f].len, &c, &n) < 0)
                                        continue;
                                for (size_t k = 0; k < n; k++) {
                                        assert_true(c[k].id_len > 0 && c[k].id_len <= sizeof c[k].id);
                                        assert_true(c[k].path_len <= sizeof c[k].path);
                                        assert_true(c[k].index >= -1 && c[k].length >= -1);
                                        assert_true(!c[k].direct == (c[k].direct_len == 0));
                                }
                                pkcs15_certs_free(c, n);
                        }
}

typedef struct Bad {
        const char *what;
        uint8_t data[40];
        size_t len;
} Bad;

/* A certificate object whose X509CertificateAttributes hold the n bytes
 * that follow. */
#define CERT_HEAD(n) 0x30, (n) + 11, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01, 0xA1, (n) + 2, 0x30, (n)
static const Bad bad_cdf[] = {
        { "indefinite length",    { 0x30, 0x80, 0x30, 0x00, 0x00, 0x00 }, 6 },
        { "5-byte length",        { 0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x00 }, 7 },
        { "length past the end",  { 0x30, 0x13, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01 }, 9 },
        { "4-byte tag",           { 0x7F, 0x81, 0x81, 0x01, 0x00 }, 5 },
        { "empty object",         { 0x30, 0x00 }, 2 },
        { "no class attributes",  { 0x30, 0x02, 0x30, 0x00 }, 4 },
        { "common attributes not a SEQUENCE", { 0x30, 0x11, 0x31, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 19 },
        { "bad length in common", { 0x30, 0x13, 0x30, 0x02, 0x03, 0x05, 0x30, 0x03, 0x04, 0x01, 0x01,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 21 },
        { "no iD",                { 0x30, 0x10, 0x30, 0x00, 0x30, 0x02, 0x01, 0x00,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 18 },
        { "empty iD",             { 0x30, 0x10, 0x30, 0x00, 0x30, 0x02, 0x04, 0x00,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 18 },
        { "iD constructed",       { 0x30, 0x11, 0x30, 0x00, 0x30, 0x03, 0x24, 0x01, 0x01,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 19 },
        { "authority of 2 bytes", { 0x30, 0x15, 0x30, 0x00, 0x30, 0x07, 0x04, 0x01, 0x01, 0x01, 0x02, 0xFF, 0xFF,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 23 },
        { "authority empty",      { 0x30, 0x13, 0x30, 0x00, 0x30, 0x05, 0x04, 0x01, 0x01, 0x01, 0x00,
                                    0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 21 },
        { "no typeAttributes",    { 0x30, 0x07, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01 }, 9 },
        { "typeAttributes [2]",   { 0x30, 0x11, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01,
                                    0xA2, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 19 },
        { "typeAttributes empty", { 0x30, 0x09, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01, 0xA1, 0x00 }, 11 },
        { "attributes a SET",     { 0x30, 0x11, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01,
                                    0xA1, 0x08, 0x31, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 19 },
        { "path without octets",  { CERT_HEAD(2), 0x30, 0x00 }, 15 },
        { "empty path",           { CERT_HEAD(4), 0x30, 0x02, 0x04, 0x00 }, 17 },
        { "path of 17 bytes",     { CERT_HEAD(21), 0x30, 0x13, 0x04, 0x11 }, 34 },
        { "negative index",       { CERT_HEAD(9), 0x30, 0x07, 0x04, 0x02, 0x44, 0x11, 0x02, 0x01, 0xFF }, 22 },
        { "empty index",          { CERT_HEAD(8), 0x30, 0x06, 0x04, 0x02, 0x44, 0x11, 0x02, 0x00 }, 21 },
        { "length over 2^31",     { CERT_HEAD(12), 0x30, 0x0A, 0x04, 0x02, 0x44, 0x11,
                                    0x80, 0x04, 0x80, 0x00, 0x00, 0x00 }, 25 },
        { "length of 5 bytes",    { CERT_HEAD(13), 0x30, 0x0B, 0x04, 0x02, 0x44, 0x11,
                                    0x80, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00 }, 26 },
        { "garbage after path",   { CERT_HEAD(8), 0x30, 0x06, 0x04, 0x02, 0x44, 0x11, 0x04, 0x05 }, 21 },
        { "empty direct value",   { CERT_HEAD(2), 0xA0, 0x00 }, 15 },
        { "garbage after value",  { CERT_HEAD(8), 0xA0, 0x02, 0x30, 0x00, 0x30, 0x05, 0x01, 0x02 }, 21 },
        { "garbage after object", { CERT_HEAD(6), 0x30, 0x04, 0x04, 0x02, 0x44, 0x11, 0x04, 0x05 }, 21 },
};

static void test_bad(_unused_ void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cdf); i++) {
                Pkcs15Cert *c = (Pkcs15Cert *) 1;
                size_t n = 42;

                print_message("# %s\n", bad_cdf[i].what);
                assert_int_equal(pkcs15_parse_cdf(bad_cdf[i].data, bad_cdf[i].len, &c, &n), -EBADMSG);
                /* left alone on failure */
                assert_ptr_equal(c, (Pkcs15Cert *) 1);
                assert_int_equal(n, 42);
                /* after a good object too: what was parsed is freed */
                {
                        _cleanup_free_ uint8_t *buf = malloc(sizeof cdf_sim + bad_cdf[i].len);
                        assert_non_null(buf);
                        memcpy(buf, cdf_sim, sizeof cdf_sim);
                        memcpy(buf + sizeof cdf_sim, bad_cdf[i].data, bad_cdf[i].len);
                        assert_int_equal(pkcs15_parse_cdf(buf, sizeof cdf_sim + bad_cdf[i].len, &c, &n), -EBADMSG);
                }
        }
}

/* A 19-byte certificate object with iD i. */
static void put_minimal(uint8_t *p, uint8_t i) {
        memcpy(p, (const uint8_t[]) { 0x30, 0x11, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, i,
                                      0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 }, 19);
}

/* A certificate object with a label (label true) or an iD of len bytes;
 * returns its size. */
static size_t put_big(uint8_t *p, bool label, size_t len) {
        static const uint8_t id[] = { 0x30, 0x03, 0x04, 0x01, 0x01 };
        static const uint8_t attrs[] = { 0xA1, 0x08, 0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x44, 0x11 };
        size_t k = 4;

        if (!label) {
                memcpy(p + k, (const uint8_t[]) { 0x30, 0x00 }, 2);
                k += 2;
        }
        memcpy(p + k, (const uint8_t[]) { 0x30, 0x82, (uint8_t) ((len + 4) >> 8), (uint8_t) (len + 4),
                                          label ? 0x0C : 0x04, 0x82, (uint8_t) (len >> 8), (uint8_t) len }, 8);
        k += 8;
        memset(p + k, 'a', len);
        k += len;
        if (label) {
                memcpy(p + k, id, sizeof id);
                k += sizeof id;
        }
        memcpy(p + k, attrs, sizeof attrs);
        k += sizeof attrs;
        memcpy(p, (const uint8_t[]) { 0x30, 0x82, (uint8_t) ((k - 4) >> 8), (uint8_t) (k - 4) }, 4);
        return k;
}

static void test_limits(_unused_ void **state) {
        _cleanup_free_ uint8_t *buf = malloc(65 * 19 + 300);
        Pkcs15Cert *c = NULL;
        size_t n = 0, k;

        assert_non_null(buf);
        for (size_t i = 0; i < 65; i++)
                put_minimal(buf + 19 * i, (uint8_t) i);
        assert_int_equal(pkcs15_parse_cdf(buf, 64 * 19, &c, &n), 0);
        assert_int_equal(n, 64);
        assert_int_equal(c[63].id[0], 63);
        pkcs15_certs_free(c, n);
        /* 65: more than we take from one card */
        assert_int_equal(pkcs15_parse_cdf(buf, 65 * 19, &c, &n), -EBADMSG);

        /* iDs and labels of 255 bytes (the PKCS#15 bounds) are fine */
        k = put_big(buf, false, 255);
        assert_int_equal(pkcs15_parse_cdf(buf, k, &c, &n), 0);
        assert_int_equal(c[0].id_len, 255);
        assert_int_equal(c[0].id[254], 'a');
        pkcs15_certs_free(c, n);
        k = put_big(buf, true, 255);
        assert_int_equal(pkcs15_parse_cdf(buf, k, &c, &n), 0);
        assert_int_equal(strlen(c[0].label), 255);
        pkcs15_certs_free(c, n);
        /* 256 are not */
        k = put_big(buf, false, 256);
        assert_int_equal(pkcs15_parse_cdf(buf, k, &c, &n), -EBADMSG);
        k = put_big(buf, true, 256);
        assert_int_equal(pkcs15_parse_cdf(buf, k, &c, &n), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sim),
                cmocka_unit_test(test_opensc),
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_mutations),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_limits),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
