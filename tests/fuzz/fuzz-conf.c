/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for kartd.conf (daemon/conf.c over inih): whatever the
 * file holds, kartd starts with a configuration whose every value is one
 * it documents (kartd.conf(5)): numbers within their ranges, URLs of the
 * right scheme, absolute paths, at most eight modules, no control
 * characters. Seed: the test world's kartd.conf and the README's. */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc, (void) argv;
        log_set_max_level(-1);          /* the warnings of every bad line: not wanted here */
        fd = memfd_create("kartd.conf", MFD_CLOEXEC);
        assert(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        return 0;
}

static void check_text(const char *s) {
        for (; s && *s; s++)
                assert((unsigned char) *s >= 0x20 && *s != 0x7F);
}

static void check_url(const char *s, bool http_ok) {
        if (!s)
                return;
        assert(strncasecmp(s, "https://", 8) == 0 || (http_ok && strncasecmp(s, "http://", 7) == 0));  /* (any case) */
        check_text(s);
}

static void check_path(const char *s) {
        if (!s)
                return;
        assert(s[0] == '/');
        check_text(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        KartConfig c;

        assert(ftruncate(fd, 0) == 0);
        assert(pwrite(fd, data, size, 0) == (ssize_t) size);
        config_init(&c);
        if (config_load(&c, path) < 0) {
                config_done(&c);
                return 0;
        }
        assert(c.log_level >= -1 && c.log_level <= 7);
        check_url(c.ocsp.responder, true);
        check_url(c.ocsp.proxy, true);
        check_path(c.ocsp.trust_file);
        check_path(c.ocsp.trust_dir);
        assert(c.ocsp.connect_timeout_sec >= 1 && c.ocsp.connect_timeout_sec <= 60);
        assert(c.ocsp.timeout_sec >= 1 && c.ocsp.timeout_sec <= 120);
        assert(c.ocsp.skew_sec <= 3600 && c.ocsp.cache_sec <= 7 * 86400);
        assert(c.ocsp.refresh_interval_sec <= 3600);
        assert(c.ocsp.max_response >= 1024 && c.ocsp.max_response <= 1024 * 1024);
        check_url(c.backend.url, false);
        check_url(c.backend.portal_url, false);
        check_path(c.backend.ca_file);
        assert(!c.backend.pinned_key || (strncmp(c.backend.pinned_key, "sha256//", 8) == 0 &&
                                         strlen(c.backend.pinned_key) == 8 + 44));
        assert(c.backend.connect_timeout_sec >= 1 && c.backend.connect_timeout_sec <= 60);
        assert(c.backend.timeout_sec >= 1 && c.backend.timeout_sec <= 24);
        assert(c.pkcs11.n_modules <= PKCS11_MAX_MODULES);
        for (size_t i = 0; i < c.pkcs11.n_modules; i++)
                check_path(c.pkcs11.modules[i].path);
        check_text(c.pkcs11.os_locking);
        check_text(c.pkcs11.prefer);
        assert(c.pkcs11.call_timeout_sec >= 1 && c.pkcs11.call_timeout_sec <= 300);
        config_done(&c);
        return 0;
}
