/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define P11_KIT_FUTURE_UNSTABLE_API 1
#include <p11-kit/p11-kit.h>
#include <p11-kit/remote.h>

#include "p11host.h"

/* kart-p11-host: kartd never loads a vendor's PKCS#11 module into itself.
 * Each module runs here, in a process of its own that shuts itself in
 * first (p11host-sandbox.c), and kartd reaches it through p11-kit's
 * client module over the socket it handed over, one connection at a
 * time. A module that crashes or hangs takes only this process along. */

static char host_name[65];

void host_log_set_name(const char *name) {
        size_t i;

        /* kartd's own name for the module; only printable ASCII reaches the log */
        for (i = 0; name[i] && i < sizeof host_name - 1; i++)
                host_name[i] = name[i] > ' ' && name[i] < 0x7f ? name[i] : '?';
        host_name[i] = 0;
}

void host_log(const char *format, ...) {
        char line[1024];
        size_t len;
        va_list ap;
        int saved = errno, n;

        if (host_name[0])
                n = snprintf(line, sizeof line, "kart-p11-host[%s]: ", host_name);
        else
                n = snprintf(line, sizeof line, "kart-p11-host: ");
        va_start(ap, format);
        (void) vsnprintf(line + n, sizeof line - (size_t) n - 1, format, ap);
        va_end(ap);
        len = strlen(line);
        line[len++] = '\n';
        /* one write: lines of several hosts on kartd's stderr do not mix */
        while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
                ;
        errno = saved;
}

/* Descriptors 0 to 2 open (on /dev/null if kartd left one closed, so
 * that nothing the module opens lands there), 3 a regular file and 4 a
 * listening AF_UNIX stream socket; 3 and 4 are not handed on. */
static int check_descriptors(void) {
        int domain = 0, type = 0, listening = 0;
        socklen_t len;
        struct stat st;

        for (int fd = 0; fd <= STDERR_FILENO; fd++)
                if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
                        host_log("Could not open /dev/null as descriptor %d.", fd);
                        return HOST_EXIT_USAGE;
                }
        if (fstat(HOST_FD_MODULE, &st) < 0 || !S_ISREG(st.st_mode)) {
                host_log("Descriptor %d is not the module file.", HOST_FD_MODULE);
                return HOST_EXIT_USAGE;
        }
        len = sizeof domain;
        if (getsockopt(HOST_FD_LISTEN, SOL_SOCKET, SO_DOMAIN, &domain, &len) >= 0) {
                len = sizeof type;
                (void) getsockopt(HOST_FD_LISTEN, SOL_SOCKET, SO_TYPE, &type, &len);
                len = sizeof listening;
                (void) getsockopt(HOST_FD_LISTEN, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
        }
        if (domain != AF_UNIX || type != SOCK_STREAM || !listening) {
                host_log("Descriptor %d is not a listening AF_UNIX stream socket.", HOST_FD_LISTEN);
                return HOST_EXIT_USAGE;
        }
        if (fcntl(HOST_FD_MODULE, F_SETFD, FD_CLOEXEC) < 0 || fcntl(HOST_FD_LISTEN, F_SETFD, FD_CLOEXEC) < 0) {
                host_log("Could not mark descriptors %d and %d close-on-exec: %s", HOST_FD_MODULE,
                         HOST_FD_LISTEN, strerror(errno));
                return HOST_EXIT_SANDBOX;
        }
        return 0;
}

/* One client at a time (kartd's p11-kit client), for as long as kartd
 * keeps the socket: it shuts it down (shutdown(2)) to stop the host. */
static int serve(CK_FUNCTION_LIST *module) {
        CK_FUNCTION_LIST served;

        host_served_list(module, &served);
        for (;;) {
                int conn = accept4(HOST_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC);

                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno == EINVAL || errno == EBADF) {
                                (void) module->C_Finalize(NULL);
                                return HOST_EXIT_STOPPED;
                        }
                        host_log("Could not accept a connection: %s", strerror(errno));
                        return HOST_EXIT_FAILED;
                }
                /* Its answer says only whether the client left cleanly;
                 * kartd sees from its side what went wrong. */
                (void) p11_kit_remote_serve_module(&served, conn, conn);
                (void) close(conn);
                host_close_all_sessions(module);
        }
}

/* kart-p11-host --list-registry: the modules p11-kit's registry enables
 * for kartd (enable-in:, disable-in:, p11-kit's defaults), one file name
 * per line. p11-kit reads its configuration only as it loads the
 * modules: they are loaded here, shut in, and never initialized. Trust
 * policy modules (the system's trust anchors) hold no card. */
static int list_registry(void) {
        CK_FUNCTION_LIST **modules;
        int r;

        r = host_sandbox();
        if (r != 0)
                return r;
        p11_kit_set_progname("kartd");
        modules = p11_kit_modules_load(NULL, 0);
        if (!modules) {
                host_log("p11-kit could not read its module registry: %s", p11_kit_message() ?: "no reason given");
                return HOST_EXIT_FAILED;
        }
        for (size_t i = 0; modules[i]; i++) {
                _cleanup_free_ char *file = p11_kit_module_get_filename(modules[i]);
                _cleanup_free_ char *trust = p11_kit_config_option(modules[i], "trust-policy");

                if (!file || strchr(file, '\n'))
                        continue;
                if (trust && streq(trust, "yes"))
                        continue;
                printf("%s\n", file);
        }
        return fflush(stdout) == 0 ? 0 : HOST_EXIT_FAILED;
}

static void help(void) {
        printf("Usage: kart-p11-host [--os-locking] NAME\n"
               "       kart-p11-host --list-registry\n\n"
               "Runs one PKCS#11 module for kartd and serves it over p11-kit's RPC.\n"
               "Started by kartd, with the module file on descriptor 3 and a listening\n"
               "AF_UNIX socket on descriptor 4.\n\n"
               "With --list-registry, prints the modules p11-kit's registry enables for kartd.\n\n"
               "  -h --help           Show this help\n"
               "     --os-locking     Initialize the module with CKF_OS_LOCKING_OK\n");
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",       no_argument, NULL, 'h' },
                { "os-locking", no_argument, NULL, 'l' },
                {}
        };
        CK_FUNCTION_LIST *module = NULL;
        bool os_locking = false;
        int c, r;

        if (argc == 2 && streq(argv[1], "--list-registry"))
                return list_registry();

        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'l':
                        os_locking = true;
                        break;
                default:
                        host_log("Unknown option %s.", argv[optind - 1]);
                        return HOST_EXIT_USAGE;
                }
        if (optind != argc - 1 || !argv[optind][0]) {
                host_log("Expected the module's name, and nothing else.");
                return HOST_EXIT_USAGE;
        }
        host_log_set_name(argv[optind]);

        r = check_descriptors();
        if (r != 0)
                return r;
        r = host_sandbox();
        if (r != 0)
                return r;
        r = host_load_module(os_locking, &module);
        if (r != 0)
                return r;
        return serve(module);
}

/* The host ends with _exit(): a module's memory is the module's, and no
 * leak checker (a sanitizer build's) turns an exit code kartd reads into
 * another. */
int main(int argc, char *argv[]) {
        int r = run(argc, argv);

        (void) fflush(stdout);
        _exit(r);
}
