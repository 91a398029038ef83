/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hands pcscd a pre-bound socket, as systemd's socket activation would:
 *
 *   pcscd-launch SOCKET_PATH -- pcscd -f -c DIR
 *
 * pcscd ignores PCSCLITE_CSOCK_NAME but takes a listening socket on fd 3
 * (sd_listen_fds), so each test world gets its own pcscd on its own path.
 * The socket is world-writable like /run/pcscd/pcscd.comm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char pid[32];
        int fd;

        if (argc < 4 || strcmp(argv[2], "--") != 0) {
                fprintf(stderr, "usage: pcscd-launch SOCKET_PATH -- COMMAND [ARGS...]\n");
                return 2;
        }
        if (strlen(argv[1]) >= sizeof sa.sun_path) {
                fprintf(stderr, "pcscd-launch: socket path too long\n");
                return 1;
        }
        strcpy(sa.sun_path, argv[1]);

        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
                goto fail;
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
            chmod(sa.sun_path, 0666) < 0)
                goto fail;
        if (fd != 3) {
                if (dup2(fd, 3) < 0)
                        goto fail;
                close(fd);
        }

        snprintf(pid, sizeof pid, "%d", (int) getpid());
        setenv("LISTEN_FDS", "1", 1);
        setenv("LISTEN_PID", pid, 1);
        unsetenv("LISTEN_FDNAMES");
        execvp(argv[3], argv + 3);
fail:
        fprintf(stderr, "pcscd-launch: %s\n", strerror(errno));
        return 1;
}
