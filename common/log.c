/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static const char *ident = "kartd";

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_ident(const char *i) {
        ident = i;
}

/* JOURNAL_STREAM names the device:inode of the journal's stream socket;
 * when stderr is that socket, native journal entries keep their fields.
 * Reader threads log too: the answer is cached atomically (two threads
 * that both find it unset compute the same value). */
static bool stderr_is_journal(void) {
        static atomic_int cached = -1;
        const char *e;
        unsigned long long dev, ino;
        struct stat st;
        int v;

        v = atomic_load_explicit(&cached, memory_order_relaxed);
        if (v >= 0)
                return v;
        v = 0;
        e = getenv("JOURNAL_STREAM");
        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0)
                v = st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
        return v;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > max_level)
                goto out;

        /* %m: the error given, else the caller's errno as it was */
        errno = error > 0 ? error : saved;
        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (stderr_is_journal()) {
                char cfile[256], cline[32];

                snprintf(cfile, sizeof cfile, "CODE_FILE=%s", file);
                snprintf(cline, sizeof cline, "CODE_LINE=%d", line);
                sd_journal_send_with_location(cfile, cline, func, "MESSAGE=%s", buf,
                                              "PRIORITY=%i", level,
                                              "SYSLOG_IDENTIFIER=%s", ident, NULL);
        } else
                fprintf(stderr, "%s\n", buf);
out:
        errno = saved;
        return error > 0 ? -error : 0;
}

void log_struct_fields(int level, const char *message, const char *const *fields) {
        if (level > max_level)
                return;

        if (stderr_is_journal()) {
                struct iovec iov[32];
                char msg[1024], prio[32];
                size_t n = 0;

                snprintf(msg, sizeof msg, "MESSAGE=%s", message);
                snprintf(prio, sizeof prio, "PRIORITY=%i", level);
                iov[n++] = (struct iovec) { msg, strlen(msg) };
                iov[n++] = (struct iovec) { prio, strlen(prio) };
                for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(iov); i++)
                        iov[n++] = (struct iovec) { (void *) fields[i], strlen(fields[i]) };
                sd_journal_sendv(iov, (int) n);
                return;
        }

        fprintf(stderr, "%s", message);
        for (size_t i = 0; fields && fields[i]; i++)
                fprintf(stderr, " %s", fields[i]);
        fputc('\n', stderr);
}
