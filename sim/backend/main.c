/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kart-backend-sim: command line. See doc/backend-protocol.md, section 7. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "backend.h"

static const char usage[] =
        "usage: kart-backend-sim serve --data FILE --state DIR --port N --cert PEM --key PEM\n"
        "                              --ca-dir DIR --master-key HEX [--delay-ms N]\n"
        "                              [--session-lifetime SEC]\n"
        "       kart-backend-sim issue-code --state DIR --card SERIAL [--purpose unblock|cert]\n"
        "       kart-backend-sim hash-password [--iterations N] PASSWORD\n"
        "       kart-backend-sim fault --state DIR ENDPOINT MODE [COUNT]\n"
        "fault modes: error, drop, garbage, delay=MS; endpoints: meta, sessions, session,\n"
        "challenge, verify, authorizations, result, certificates, suspend, resume, revoke, any\n";

enum {
        OPT_DATA = 1000,
        OPT_STATE,
        OPT_PORT,
        OPT_CERT,
        OPT_KEY,
        OPT_CA_DIR,
        OPT_MASTER_KEY,
        OPT_DELAY,
        OPT_CARD,
        OPT_PURPOSE,
        OPT_ITERATIONS,
        OPT_SESSION_LIFETIME,
};

static const struct option options[] = {
        { "data", required_argument, NULL, OPT_DATA },
        { "state", required_argument, NULL, OPT_STATE },
        { "port", required_argument, NULL, OPT_PORT },
        { "cert", required_argument, NULL, OPT_CERT },
        { "key", required_argument, NULL, OPT_KEY },
        { "ca-dir", required_argument, NULL, OPT_CA_DIR },
        { "master-key", required_argument, NULL, OPT_MASTER_KEY },
        { "delay-ms", required_argument, NULL, OPT_DELAY },
        { "card", required_argument, NULL, OPT_CARD },
        { "purpose", required_argument, NULL, OPT_PURPOSE },
        { "iterations", required_argument, NULL, OPT_ITERATIONS },
        { "session-lifetime", required_argument, NULL, OPT_SESSION_LIFETIME },
        { "help", no_argument, NULL, 'h' },
        {},
};

typedef struct Args {
        const char *data, *state, *cert, *key, *ca_dir, *master_key, *card, *purpose;
        unsigned long port, delay_ms, iterations, session_lifetime;
} Args;

static int die(const char *what) {
        fprintf(stderr, "kart-backend-sim: %s\n", what);
        return 2;
}

static bool parse_number(const char *s, unsigned long max, unsigned long *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v > max || s[0] == '-')
                return false;
        *ret = v;
        return true;
}

static int parse_args(int argc, char **argv, Args *a) {
        int c;

        *a = (Args) { .purpose = "unblock", .iterations = 10000, .session_lifetime = SESSION_LIFETIME };
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case OPT_DATA: a->data = optarg; break;
                case OPT_STATE: a->state = optarg; break;
                case OPT_CERT: a->cert = optarg; break;
                case OPT_KEY: a->key = optarg; break;
                case OPT_CA_DIR: a->ca_dir = optarg; break;
                case OPT_MASTER_KEY: a->master_key = optarg; break;
                case OPT_CARD: a->card = optarg; break;
                case OPT_PURPOSE: a->purpose = optarg; break;
                case OPT_PORT:
                        if (!parse_number(optarg, 65535, &a->port) || a->port == 0)
                                return die("--port: expected 1..65535");
                        break;
                case OPT_DELAY:
                        if (!parse_number(optarg, 60000, &a->delay_ms))
                                return die("--delay-ms: expected 0..60000");
                        break;
                case OPT_SESSION_LIFETIME:
                        if (!parse_number(optarg, 86400, &a->session_lifetime) || a->session_lifetime == 0)
                                return die("--session-lifetime: expected 1..86400");
                        break;
                case OPT_ITERATIONS:
                        if (!parse_number(optarg, 10000000, &a->iterations) || a->iterations == 0)
                                return die("--iterations: expected 1..10000000");
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 1;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        return 0;
}

static int cmd_serve(const Args *a) {
        Context ctx = { .lock = PTHREAD_MUTEX_INITIALIZER, .audit_fd = -1, .requests_fd = -1 };
        _cleanup_free_ char *error = NULL;
        int r;

        if (!a->data || !a->state || !a->port || !a->cert || !a->key || !a->ca_dir || !a->master_key)
                return die("serve needs --data --state --port --cert --key --ca-dir --master-key");
        if (strlen(a->master_key) != 32 || hex_to_bytes(a->master_key, ctx.master_key, sizeof ctx.master_key) != 16)
                return die("--master-key: expected 32 hex digits");
        if (mkdir(a->state, 0700) < 0 && errno != EEXIST)
                return die("--state: cannot create the directory");
        r = accounts_load(a->data, &ctx.accounts, &error);
        if (r < 0) {
                fprintf(stderr, "kart-backend-sim: data file: %s\n", error ? error : strerror(-r));
                return 1;
        }
        ctx.state_dir = strdup(a->state);
        ctx.ca_dir = strdup(a->ca_dir);
        ctx.delay_ms = (unsigned) a->delay_ms;
        ctx.session_lifetime = (long) a->session_lifetime;
        if (!ctx.state_dir || !ctx.ca_dir || logs_open(&ctx) < 0) {
                fprintf(stderr, "kart-backend-sim: cannot open the logs in %s\n", a->state);
                return 1;
        }
        r = serve(&ctx, (unsigned) a->port, a->cert, a->key);
        logs_close(&ctx);
        sessions_free(&ctx);
        idem_free(&ctx);
        accounts_free(&ctx.accounts);
        OPENSSL_cleanse(ctx.master_key, sizeof ctx.master_key);
        free(ctx.state_dir);
        free(ctx.ca_dir);
        return r < 0 ? 1 : 0;
}

static int cmd_issue_code(const Args *a) {
        char code[15];
        int r;

        if (!a->state || !a->card)
                return die("issue-code needs --state and --card");
        if (!*a->card || strlen(a->card) > 128 || strlen(a->card) % 2 || !is_hex(a->card, true))
                return die("--card: expected the card serial in lowercase hex");
        if (!streq(a->purpose, "unblock") && !streq(a->purpose, "cert"))
                return die("--purpose: expected unblock or cert");
        if (mkdir(a->state, 0700) < 0 && errno != EEXIST)
                return die("--state: cannot create the directory");
        r = codes_issue(a->state, a->card, a->purpose, time(NULL), code);
        if (r < 0) {
                fprintf(stderr, "kart-backend-sim: cannot store the code: %s\n", strerror(-r));
                return 1;
        }
        printf("%s\n", code);
        return 0;
}

static int cmd_fault(const Args *a, int argc, char **argv) {
        unsigned long count = 1;
        int r;

        if (!a->state || argc < 2 || argc > 3)
                return die("usage: fault --state DIR ENDPOINT MODE [COUNT]");
        if (argc == 3 && (!parse_number(argv[2], 1000, &count) || count == 0))
                return die("COUNT: expected 1..1000");
        r = faults_arm(a->state, argv[0], argv[1], (unsigned) count);
        if (r == -EINVAL)
                return die("MODE: expected error, drop, garbage or delay=MS");
        if (r < 0) {
                fprintf(stderr, "kart-backend-sim: cannot arm the fault: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

int main(int argc, char **argv) {
        const char *cmd;
        Args a;
        int r;

        if (argc < 2) {
                fputs(usage, stderr);
                return 2;
        }
        cmd = argv[1];
        r = parse_args(argc - 1, argv + 1, &a);
        if (r == 1)
                return 0;
        if (r != 0)
                return r;
        if (streq(cmd, "serve") && optind == argc - 1)
                return cmd_serve(&a);
        if (streq(cmd, "issue-code") && optind == argc - 1)
                return cmd_issue_code(&a);
        if (streq(cmd, "fault"))
                return cmd_fault(&a, argc - 1 - optind, argv + 1 + optind);
        if (streq(cmd, "hash-password") && optind == argc - 2) {
                _cleanup_free_ char *json = NULL;
                if (password_hash_json(argv[argc - 1], (unsigned) a.iterations, &json) < 0)
                        return die("cannot hash the password");
                printf("%s\n", json);
                return 0;
        }
        fputs(usage, stderr);
        return 2;
}
