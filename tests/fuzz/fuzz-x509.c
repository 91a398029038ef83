/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the certificate details kartd shows
 * (daemon/card/x509-info.c: OpenSSL parses, kartd picks and formats the
 * fields). Whatever a card holds, what comes out is whole and printable:
 * names without control characters (they reach terminals and the
 * journal), the serial in hex, the fingerprint in lowercase hex, only
 * http(s) URLs. The DER mutator (der-mutator.h) keeps inputs well-formed
 * enough to reach the extensions. Seeds: the DER files of tests/data/certs. */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "der-mutator.h"
#include "x509-info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s) {
        assert(s);
        for (; *s; s++)
                assert((unsigned char) *s >= 0x20 && *s != 0x7F);
}

static void check_urls(char **urls) {
        assert(urls);
        for (char **u = urls; *u; u++) {
                assert(strncasecmp(*u, "http://", 7) == 0 || strncasecmp(*u, "https://", 8) == 0);   /* (any case: RFC 3986) */
                check_printable(*u);
                assert(!strchr(*u, ' '));
        }
}

static void check_list(char **list) {
        assert(list);
        for (char **s = list; *s; s++)
                check_printable(*s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        CertInfo c = {};

        if (cert_info_parse(data, size, &c) < 0) {
                assert(!c.subject && !c.serial && !c.sha256);
                return 0;
        }
        check_printable(c.subject);
        check_printable(c.subject_cn);
        check_printable(c.issuer);
        assert(c.serial && c.serial[c.serial[0] == '-'] != '\0');
        assert(strspn(c.serial + (c.serial[0] == '-'), "0123456789ABCDEF") == strlen(c.serial + (c.serial[0] == '-')));
        assert(c.sha256 && strlen(c.sha256) == 64 && strspn(c.sha256, "0123456789abcdef") == 64);
        check_list(c.key_usage);
        check_list(c.extended_key_usage);
        check_list(c.policies);
        check_urls(c.ocsp_urls);
        check_urls(c.ca_issuer_urls);
        cert_info_done(&c);
        return 0;
}
