/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "p11-registry.h"
#include "p11-remote.h"
#include "strv.h"

/* p11-kit reads its registry only as it loads the modules, which kartd
 * never does in itself: kart-p11-host --list-registry loads them, shut
 * in, and prints their files. */

#define LIST_MAX (64 * 1024)
#define LIST_TIMEOUT_MSEC 10000

static int spawn_lister(int out, pid_t *ret) {
        char *argv[] = { (char *) "kart-p11-host", (char *) "--list-registry", NULL };
        const int to = STDOUT_FILENO;

        return p11_remote_spawn(argv, &out, &to, 1, ret);
}

/* Everything the lister writes, until it closes its end, within the
 * deadline. */
static int read_all(int fd, char *buf, size_t size, size_t *ret_len) {
        struct timespec start, now;
        size_t len = 0;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                long waited;
                ssize_t n;

                clock_gettime(CLOCK_MONOTONIC, &now);
                waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                if (waited >= LIST_TIMEOUT_MSEC)
                        return -ETIMEDOUT;
                if (poll(&p, 1, (int) (LIST_TIMEOUT_MSEC - waited)) < 0 && errno != EINTR)
                        return -errno;
                n = read(fd, buf + len, size - len);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == size)
                        return -EFBIG;
        }
        *ret_len = len;
        return 0;
}

/* One line: an absolute path of printable characters. */
static bool path_ok(const char *line) {
        if (line[0] != '/' || strlen(line) >= 4096)
                return false;
        for (const char *p = line; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return false;
        return true;
}

int p11_registry_list(char ***ret) {
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *buf = NULL;
        int pipe_fds[2], status, r;
        size_t len = 0;
        pid_t pid;

        buf = malloc(LIST_MAX + 1);
        paths = strv_new_empty();
        if (!buf || !paths)
                return -ENOMEM;
        if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        r = spawn_lister(pipe_fds[1], &pid);
        (void) close(pipe_fds[1]);
        if (r < 0) {
                (void) close(pipe_fds[0]);
                return log_warning_errno(r, "Could not start %s to read p11-kit's module registry: %m",
                                         p11_remote_host_path());
        }
        r = read_all(pipe_fds[0], buf, LIST_MAX, &len);
        (void) close(pipe_fds[0]);
        if (r < 0)
                (void) kill(pid, SIGKILL);
        if (waitpid(pid, &status, 0) != pid)
                status = -1;
        if (r < 0)
                return log_warning_errno(r, "Could not read p11-kit's module registry: %m");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                log_warning("Could not read p11-kit's module registry: its lister %s %d (a registered module "
                            "that crashes while it loads?).",
                            WIFSIGNALED(status) ? "was ended by signal" : "exited with status",
                            WIFSIGNALED(status) ? WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                return -EIO;
        }
        buf[len] = 0;
        for (char *line = buf, *end; *line; line = end) {
                end = line + strcspn(line, "\n");
                if (*end)
                        *end++ = 0;
                if (!path_ok(line)) {
                        log_warning("p11-kit's module registry names a module kartd cannot use: '%.64s'; "
                                    "ignoring it.", line);
                        continue;
                }
                if (strv_push(&paths, strdup(line)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(paths);
        return 0;
}

bool p11_same_file(const char *a, const char *b) {
        struct stat sa, sb;

        if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
                return streq(a, b);
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void p11_registry_merge(Pkcs11Config *c) {
        _cleanup_strv_free_ char **paths = NULL;

        if (p11_registry_list(&paths) < 0)
                return;
        for (size_t i = 0; paths[i]; i++) {
                bool known = false;
                int r;

                for (size_t k = 0; k < c->n_modules && !known; k++)
                        known = p11_same_file(c->modules[k].path, paths[i]);
                if (known) {
                        log_debug("PKCS#11 module %s: in Modules= and in p11-kit's registry; loaded once.", paths[i]);
                        continue;
                }
                r = pkcs11_config_add(c, paths[i]);
                if (r == -E2BIG) {
                        log_warning("p11-kit's registry enables more PKCS#11 modules for kartd than it takes "
                                    "(%d); not using %s.", PKCS11_MAX_MODULES, paths[i]);
                        continue;
                }
                if (r < 0)
                        return (void) log_oom();
                log_debug("PKCS#11 module %s: enabled for kartd in p11-kit's registry.", paths[i]);
        }
}
