/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* /etc/kartd/kartd.conf, an INI file read with inih. A bad line is
 * reported with file:line and ignored; it never stops the daemon. The
 * settings are documented in man/kartd.conf.5 (keep both in step). */

typedef struct OcspConfig {
        bool enabled;
        char *responder;                /* NULL: each certificate's AIA */
        char *trust_file;               /* NULL: none */
        char *trust_dir;                /* NULL: none */
        char *proxy;                    /* NULL: no proxy */
        unsigned connect_timeout_sec, timeout_sec;
        unsigned skew_sec;              /* allowed clock difference with the responder */
        unsigned cache_sec;             /* how long an answer without nextUpdate is kept */
        unsigned max_response;          /* bytes */
        unsigned refresh_interval_sec;  /* RefreshStatus asks anew at most this often per card */
} OcspConfig;

typedef struct BackendConfig {
        char *url;                      /* https://host[:port], NULL: no backend */
        char *ca_file;                  /* NULL: the system's trust store */
        char *pinned_key;               /* NULL, or "sha256//BASE64" of the server's SPKI */
        char *portal_url;               /* where holders get a verification code; NULL: the CA's /v1/meta */
        unsigned connect_timeout_sec, timeout_sec;
} BackendConfig;

#define PKCS11_MAX_MODULES 8

typedef struct Pkcs11ModuleConfig {
        char *path;                     /* absolute */
        bool os_locking;                /* C_Initialize with CKF_OS_LOCKING_OK; default NULL args */
        bool prefer;                    /* over the native driver, for cards both know */
} Pkcs11ModuleConfig;

typedef struct Pkcs11Config {
        Pkcs11ModuleConfig modules[PKCS11_MAX_MODULES];
        size_t n_modules;
        char *os_locking, *prefer;      /* the lists as written; resolved into modules[] */
        unsigned call_timeout_sec;      /* one module call; then the module is given up */
        /* PinOperations=: for a card kartd's own driver reads, whose
         * token a module also has, the PIN operations go to the module
         * always (true), or only where kartd's driver has no established
         * PIN commands for the card (false, "auto", the default). */
        bool pin_operations_module;
        /* Registry=: the modules p11-kit's registry enables for kartd
         * too (yes, the default), after those of Modules=. */
        bool registry;
} Pkcs11Config;

typedef struct KartConfig {
        int log_level;          /* syslog level, -1 unset */
        OcspConfig ocsp;
        BackendConfig backend;
        Pkcs11Config pkcs11;
} KartConfig;

void config_init(KartConfig *c);
/* Returns 0, or -ENOENT when the file is absent (the defaults stay),
 * -ENOMEM. */
int config_load(KartConfig *c, const char *path);
void config_done(KartConfig *c);

int log_level_from_string(const char *s);

/* Appends a module (one of p11-kit's registry), its options from the
 * OSLocking= and Prefer= lists; -E2BIG past PKCS11_MAX_MODULES. */
int pkcs11_config_add(Pkcs11Config *c, const char *path);
/* Warns of each name in OSLocking= and Prefer= that matches no module;
 * path: the configuration file, for the message. */
void pkcs11_config_check_names(const Pkcs11Config *c, const char *path);
