/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hands pcscd a pre-bound socket, as systemd's socket activation would:
 *
 *   pcscd-launch SOCKET_PATH -- pcscd -f -c DIR
 *
 * pcscd ignores PCSCLITE_CSOCK_NAME (only clients honour it) but takes a
 * listening socket on fd 3 when LISTEN_FDS=1 and LISTEN_PID is its own pid
 * (sd_listen_fds), so each test world gets its own pcscd on its own path.
 * The socket is made world-writable like /run/pcscd/pcscd.comm, and the
 * command is exec'd, so its pid is ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_FD 3 /* SD_LISTEN_FDS_START */

static int fail(const char *what, const char *arg) {
        fprintf(stderr, "pcscd-launch: %s %s: %s\n", what, arg, strerror(errno));
        return 1;
}

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char pid[32];
        int fd;

        if (argc < 4 || strcmp(argv[2], "--") != 0) {
                fprintf(stderr, "usage: pcscd-launch SOCKET_PATH -- COMMAND [ARGS...]\n");
                return 2;
        }
        if (strlen(argv[1]) >= sizeof sa.sun_path) {
                fprintf(stderr, "pcscd-launch: socket path too long: %s\n", argv[1]);
                return 1;
        }
        memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);

        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
                return fail("socket", argv[1]);
        if (unlink(sa.sun_path) < 0 && errno != ENOENT)
                return fail("unlink", argv[1]);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return fail("bind", argv[1]);
        if (listen(fd, SOMAXCONN) < 0)
                return fail("listen", argv[1]);
        if (chmod(sa.sun_path, 0666) < 0)
                return fail("chmod", argv[1]);
        if (fd != LISTEN_FD) {
                /* dup2() leaves FD_CLOEXEC off: the socket survives exec. */
                if (dup2(fd, LISTEN_FD) < 0)
                        return fail("dup2", argv[1]);
                close(fd);
        }

        snprintf(pid, sizeof pid, "%d", (int) getpid());
        if (setenv("LISTEN_FDS", "1", 1) < 0 || setenv("LISTEN_PID", pid, 1) < 0)
                return fail("setenv", "LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        execvp(argv[3], argv + 3);
        return fail("exec", argv[3]);
}
