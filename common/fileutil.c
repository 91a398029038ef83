/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "macro.h"

char *file_atomic_twin(const char *path) {
        const char *base = strrchr(path, '/');
        char *tmp;

        if (!base)
                return NULL;
        if (asprintf(&tmp, "%.*s/.%s.tmp", (int) (base - path), path, base + 1) < 0)
                return NULL;
        return tmp;
}

int write_file_atomic(const char *path, const char *text) {
        _cleanup_free_ char *tmp = file_atomic_twin(path), *dir = NULL;
        _cleanup_close_ int fd = -1, dfd = -1;
        size_t len = strlen(text);

        if (!tmp || !(dir = strndup(path, strrchr(path, '/') - path)))
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, len) != (ssize_t) len || fsync(fd) < 0 || rename(tmp, path) < 0) {
                int r = errno > 0 ? -errno : -EIO;

                (void) unlink(tmp);
                return r;
        }
        /* The directory entry too, or the file may not be there after a crash. */
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return negative_errno();
        return 0;
}

char *read_file_whole(const char *path, size_t max, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        size_t len = 0;
        char *buf;

        if (fd < 0 || fstat(fd, &st) < 0)
                return NULL;
        if (!S_ISREG(st.st_mode))
                return errno = EINVAL, NULL;
        if (max == SIZE_MAX || !(buf = malloc(max + 1)))
                return errno = ENOMEM, NULL;
        for (;;) {
                ssize_t n = read(fd, buf + len, max + 1 - len);

                if (n == 0)
                        break;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 || (len += (size_t) n) > max) {
                        int e = n < 0 ? errno : EFBIG;

                        explicit_bzero(buf, len);
                        free(buf);
                        return errno = e, NULL;
                }
        }
        buf[len] = '\0';
        *ret_len = len;
        return buf;
}
