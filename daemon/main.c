/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <getopt.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "card/p11-registry.h"
#include "card/p11-remote.h"
#include "conf.h"
#include "daemon.h"
#include "kart-names.h"
#include "log.h"
#include "wipe-alloc.h"

static void help(void) {
        printf("Usage: kartd [OPTIONS]\n\n"
               "Smart-card PIN and certificate manager: owns the card readers and\n"
               "serves org.kartd.Kartd1 on the system bus.\n\n"
               "  -h --help           Show this help\n"
               "     --version        Show the version\n"
               "  -c --config=FILE    Read FILE instead of %s\n"
               "  -d --debug          Log debug messages (never secrets)\n",
               KART_CONFIG_FILE);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument,       NULL, 'h' },
                { "version", no_argument,       NULL, 'V' },
                { "config",  required_argument, NULL, 'c' },
                { "debug",   no_argument,       NULL, 'd' },
                {}
        };
        const char *config_path = KART_CONFIG_FILE;
        bool explicit_config = false, debug = false;
        KartConfig config;
        sigset_t mask;
        int c, r;

        /* PINs pass through this process: no core dumps of it, and no
         * ptrace or /proc/PID/mem by other processes of the same user. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                log_error_errno(errno, "Failed to make kartd non-dumpable: %m");
                return EXIT_FAILURE;
        }

        /* What the libraries that carry codes, passwords and tokens free
         * is wiped first. */
        if (wipe_alloc_install() < 0)
                log_warning("OpenSSL or libcurl allocated before kartd started: their freed memory is not wiped.");

        setlocale(LC_ALL, "");
        log_set_ident("kartd");

        while ((c = getopt_long(argc, argv, "hc:d", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'V':
                        printf("kartd %s\n", PACKAGE_VERSION);
                        return EXIT_SUCCESS;
                case 'c':
                        config_path = optarg;
                        explicit_config = true;
                        break;
                case 'd':
                        debug = true;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (optind < argc) {
                fprintf(stderr, "kartd takes no arguments.\n");
                return EXIT_FAILURE;
        }

        config_init(&config);
        r = config_load(&config, config_path);
        if (r < 0 && (explicit_config || r != -ENOENT)) {
                log_error_errno(r, "Failed to read %s: %m", config_path);
                return EXIT_FAILURE;
        }
        if (debug)
                log_set_max_level(LOG_DEBUG);
        else if (config.log_level >= 0)
                log_set_max_level(config.log_level);

        /* A peer that went away is an error to handle, never the end of
         * kartd: p11-kit's client writes to a module's host that may have
         * died, without MSG_NOSIGNAL. */
        signal(SIGPIPE, SIG_IGN);

        /* Blocked before any thread starts, so that only the event loop
         * sees them (through signalfd). */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        /* Before any thread: p11-kit's client reads its server's address
         * from the environment. */
        if (p11_remote_setup() < 0) {
                log_error("Failed to prepare for the PKCS#11 modules' hosts.");
                return EXIT_FAILURE;
        }

        /* The modules p11-kit's registry enables for kartd, before the
         * loop: a child lists them, with a deadline. */
        if (config.pkcs11.registry)
                p11_registry_merge(&config.pkcs11);
        pkcs11_config_check_names(&config.pkcs11, config_path);

        r = daemon_run(&config);
        p11_remote_cleanup();
        config_done(&config);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
