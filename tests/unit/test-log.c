/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* %m in a log line: the error given to the _errno variants, else the
 * caller's errno as it was ("Cannot make ... (Success)" printed the
 * errno the logger itself had set). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* What one log call writes to stderr. */
static void logged(void (*call)(void), char *buf, size_t size) {
        FILE *tmp = tmpfile();
        int saved = dup(STDERR_FILENO);
        size_t n;

        assert_non_null(tmp);
        fflush(stderr);
        assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
        call();
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        rewind(tmp);
        n = fread(buf, 1, size - 1, tmp);
        buf[n] = 0;
        fclose(tmp);
}

static void plain_with_errno(void) {
        errno = EACCES;
        log_warning("Cannot make /x (%m).");
}

static void with_error(void) {
        errno = 0;
        (void) log_warning_errno(-ENOENT, "Gone: %m");
}

static void test_percent_m(void **state) {
        char buf[512];

        unsetenv("JOURNAL_STREAM");
        logged(plain_with_errno, buf, sizeof buf);
        assert_non_null(strstr(buf, "Cannot make /x (Permission denied)."));
        assert_int_equal(errno, EACCES);        /* left as it was */
        logged(with_error, buf, sizeof buf);
        assert_non_null(strstr(buf, "Gone: No such file or directory"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_percent_m),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
