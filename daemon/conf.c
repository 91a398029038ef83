/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "strutil.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"

typedef struct Parse {
        KartConfig *config;
        const char *path;
        FILE *file;
        int line;       /* the line inih is looking at */
        bool oom;
} Parse;

int log_level_from_string(const char *s) {
        static const struct { const char *name; int level; } levels[] = {
                { "debug", LOG_DEBUG }, { "info", LOG_INFO }, { "notice", LOG_NOTICE },
                { "warning", LOG_WARNING }, { "err", LOG_ERR }, { "error", LOG_ERR },
        };

        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (strcasecmp(s, levels[i].name) == 0)
                        return levels[i].level;
        return -EINVAL;
}

/* Each parser returns 0, -EINVAL (the value is reported and ignored) or
 * -ENOMEM; it writes its target only on success. */
typedef int (*ParseFunc)(const char *value, void *target, unsigned min, unsigned max);

static int parse_log_level(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        int l = log_level_from_string(value);

        if (l < 0)
                return -EINVAL;
        *(int *) target = l;
        return 0;
}

static int parse_bool(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(value, yes[i]) == 0)
                        return *(bool *) target = true, 0;
                if (strcasecmp(value, no[i]) == 0)
                        return *(bool *) target = false, 0;
        }
        return -EINVAL;
}

static int parse_pin_operations(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if (streq(value, "auto"))
                return *(bool *) target = false, 0;
        if (streq(value, "module"))
                return *(bool *) target = true, 0;
        return -EINVAL;
}

static int parse_unsigned(const char *value, void *target, unsigned min, unsigned max) {
        char *end;
        unsigned long v;

        if (*value < '0' || *value > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(value, &end, 10);
        if (errno != 0 || *end || v < min || v > max)
                return -EINVAL;
        *(unsigned *) target = (unsigned) v;
        return 0;
}

static int set_string(char **target, const char *value) {
        char *s = *value ? strdup(value) : NULL;

        if (*value && !s)
                return -ENOMEM;
        free(*target);
        *target = s;
        return 0;
}

/* No control character in the first n bytes of s (paths and names go
 * into log lines). */
static bool no_control(const char *s, size_t n) {
        for (size_t i = 0; i < n && s[i]; i++)
                if ((unsigned char) s[i] < ' ' || s[i] == 0x7f)
                        return false;
        return true;
}

/* An absolute path, or empty for none. */
static int parse_path(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if ((*value && *value != '/') || !no_control(value, SIZE_MAX))
                return -EINVAL;
        return set_string(target, value);
}

/* An http:// or https:// URL without spaces or control characters, or empty. */
static int parse_url(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if (*value && strncasecmp(value, "http://", 7) != 0 && strncasecmp(value, "https://", 8) != 0)
                return -EINVAL;
        for (const char *p = value; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return -EINVAL;
        return set_string(target, value);
}

/* An https:// URL without a path, query or trailing slash, or empty. */
static int parse_https_base(const char *value, void *target, unsigned min, unsigned max) {
        const char *host = value + 8;

        if (*value && (strncasecmp(value, "https://", 8) != 0 || !*host || strpbrk(host, "/?#@")))
                return -EINVAL;
        return parse_url(value, target, min, max);
}

/* An https:// address a person may be sent to, or empty. */
static int parse_portal(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if (*value && !https_url_valid(value, PORTAL_URL_MAX))
                return -EINVAL;
        return set_string(target, value);
}

/* "sha256//" and base64, or empty. */
static int parse_pin(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if (*value && (strncmp(value, "sha256//", 8) != 0 || strlen(value) != 8 + 44 ||
                       strspn(value + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != 44))
                return -EINVAL;
        return set_string(target, value);
}

/* Absolute paths of shared objects, separated by spaces: the list
 * replaces the one before. Paths hold no spaces. */
static int parse_modules(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        Pkcs11Config *c = target;
        char *paths[PKCS11_MAX_MODULES];
        size_t n = 0;
        int r = 0;

        for (const char *p = value + strspn(value, " \t"); *p; p += strspn(p, " \t")) {
                size_t len = strcspn(p, " \t");

                if (*p != '/' || n >= PKCS11_MAX_MODULES || !no_control(p, len)) {
                        r = -EINVAL;
                        break;
                }
                paths[n] = strndup(p, len);
                if (!paths[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
                p += len;
        }
        if (r < 0) {
                while (n > 0)
                        free(paths[--n]);
                return r;
        }
        for (size_t i = 0; i < c->n_modules; i++)
                free(c->modules[i].path);
        for (size_t i = 0; i < n; i++)
                c->modules[i] = (Pkcs11ModuleConfig) { .path = paths[i] };
        c->n_modules = n;
        return 0;
}

/* Module names (the file name, or the whole path), separated by spaces;
 * kept as given, matched when the modules are loaded. */
static int parse_names(const char *value, void *target, unsigned min _unused_, unsigned max _unused_) {
        if (!no_control(value, SIZE_MAX))
                return -EINVAL;
        return set_string(target, value);
}

#define FIELD(f) offsetof(KartConfig, f)

static const struct Setting {
        const char *section, *key;
        ParseFunc parse;
        size_t offset;
        unsigned min, max;
        const char *expect;     /* for the warning */
} settings[] = {
        { "daemon", "LogLevel", parse_log_level, FIELD(log_level), 0, 0, "debug, info, notice, warning or err" },
        { "ocsp", "Enabled", parse_bool, FIELD(ocsp.enabled), 0, 0, "yes or no" },
        { "ocsp", "Responder", parse_url, FIELD(ocsp.responder), 0, 0, "an http:// or https:// URL" },
        { "ocsp", "TrustFile", parse_path, FIELD(ocsp.trust_file), 0, 0, "an absolute path" },
        { "ocsp", "TrustDirectory", parse_path, FIELD(ocsp.trust_dir), 0, 0, "an absolute path" },
        { "ocsp", "Proxy", parse_url, FIELD(ocsp.proxy), 0, 0, "an http:// or https:// URL" },
        { "ocsp", "ConnectTimeoutSec", parse_unsigned, FIELD(ocsp.connect_timeout_sec), 1, 60, "1 to 60" },
        { "ocsp", "TimeoutSec", parse_unsigned, FIELD(ocsp.timeout_sec), 1, 120, "1 to 120" },
        { "ocsp", "ClockSkewSec", parse_unsigned, FIELD(ocsp.skew_sec), 0, 3600, "0 to 3600" },
        { "ocsp", "CacheSec", parse_unsigned, FIELD(ocsp.cache_sec), 0, 7 * 86400, "0 to 604800" },
        { "ocsp", "RefreshIntervalSec", parse_unsigned, FIELD(ocsp.refresh_interval_sec), 0, 3600, "0 to 3600" },
        { "ocsp", "MaxResponseSize", parse_unsigned, FIELD(ocsp.max_response), 1024, 1024 * 1024, "1024 to 1048576" },
        { "backend", "URL", parse_https_base, FIELD(backend.url), 0, 0, "an https:// URL without a path" },
        { "backend", "CAFile", parse_path, FIELD(backend.ca_file), 0, 0, "an absolute path" },
        { "backend", "PinnedPublicKey", parse_pin, FIELD(backend.pinned_key), 0, 0, "sha256// and 44 base64 characters" },
        { "backend", "ConnectTimeoutSec", parse_unsigned, FIELD(backend.connect_timeout_sec), 1, 60, "1 to 60" },
        { "backend", "PortalURL", parse_portal, FIELD(backend.portal_url), 0, 0, "an https:// address" },
        { "backend", "TimeoutSec", parse_unsigned, FIELD(backend.timeout_sec), 1, 24, "1 to 24 (under a D-Bus call's 25 s)" },
        { "pkcs11", "Registry", parse_bool, FIELD(pkcs11.registry), 0, 0, "yes or no" },
        { "pkcs11", "Modules", parse_modules, FIELD(pkcs11), 0, 0, "absolute paths separated by spaces (at most 8)" },
        { "pkcs11", "OSLocking", parse_names, FIELD(pkcs11.os_locking), 0, 0, "module names separated by spaces" },
        { "pkcs11", "Prefer", parse_names, FIELD(pkcs11.prefer), 0, 0, "module names separated by spaces" },
        { "pkcs11", "CallTimeoutSec", parse_unsigned, FIELD(pkcs11.call_timeout_sec), 1, 300, "1 to 300" },
        { "pkcs11", "PinOperations", parse_pin_operations, FIELD(pkcs11.pin_operations_module), 0, 0, "auto or module" },
};

/* Debian's inih passes no line numbers to handlers, so count them here;
 * it also reads through a small fixed buffer and takes indented lines as
 * continuations of the value before: both are refused here, loudly, so
 * that no value is ever cut short or silently replaced. */
static char *read_line(char *buf, int size, void *userdata) {
        Parse *p = userdata;
        char *s = fgets(buf, size, p->file);
        size_t n;

        if (!s)
                return NULL;
        p->line++;
        n = strlen(s);
        if (n > 0 && s[n - 1] != '\n' && !feof(p->file)) {
                int c;

                while ((c = fgetc(p->file)) != EOF && c != '\n')
                        ;
                log_warning("%s:%d: line longer than %d characters, ignoring it.", p->path, p->line, size - 2);
                strcpy(buf, "\n");
                return buf;
        }
        if (*s == ' ' || *s == '\t') {
                s += strspn(s, " \t");
                if (*s && !strchr("#;\r\n", *s))
                        log_warning("%s:%d: indented line, ignoring it (values do not continue on the next line).",
                                    p->path, p->line);
                strcpy(buf, "\n");
                return buf;
        }
        /* inih only returns the first bad line; name each one here. */
        if (*s && !strchr("#;[\r\n", *s) && !strpbrk(s, "=:"))
                log_warning("%s:%d: not a 'key=value' line, ignoring.", p->path, p->line);
        return buf;
}

static int on_entry(void *userdata, const char *section, const char *name, const char *value) {
        Parse *p = userdata;
        char *shown_section, *shown_name;       /* (a line's text goes to the log printable) */

        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                const struct Setting *s = &settings[i];
                int r;

                if (strcasecmp(section, s->section) != 0 || strcasecmp(name, s->key) != 0)
                        continue;
                r = s->parse(value, (uint8_t *) p->config + s->offset, s->min, s->max);
                if (r == -ENOMEM) {
                        p->oom = true;
                        return 0;       /* stop */
                }
                if (r < 0) {
                        char *shown = utf8_sanitize((const uint8_t *) value, strlen(value));

                        log_warning("%s:%d: [%s] %s: '%s' is not %s, ignoring.",
                                    p->path, p->line, section, name, shown ?: "?", s->expect);
                        free(shown);
                }
                return 1;
        }
        shown_section = utf8_sanitize((const uint8_t *) section, strlen(section));
        shown_name = utf8_sanitize((const uint8_t *) name, strlen(name));
        log_warning("%s:%d: unknown setting [%s] %s, ignoring.", p->path, p->line, shown_section ?: "?",
                    shown_name ?: "?");
        free(shown_section);
        free(shown_name);
        return 1;       /* go on with the next line */
}

void config_init(KartConfig *c) {
        *c = (KartConfig) {
                .log_level = -1,
                .ocsp = {
                        .enabled = true,
                        .trust_dir = strdup(KART_TRUST_DIR),
                        .connect_timeout_sec = 5,
                        .timeout_sec = 10,
                        .skew_sec = 300,
                        .cache_sec = 3600,
                        .refresh_interval_sec = 5,
                        .max_response = 64 * 1024,
                },
                .backend = {
                        .connect_timeout_sec = 10,
                        .timeout_sec = 20,
                },
                .pkcs11 = {
                        .call_timeout_sec = 10,
                        .registry = true,
                },
        };
}

static bool name_listed(const char *list, const char *path) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

        for (const char *p = list ? list + strspn(list, " \t") : ""; *p; p += strspn(p, " \t")) {
                size_t len = strcspn(p, " \t");

                if ((strlen(base) == len && strncmp(p, base, len) == 0) ||
                    (strlen(path) == len && strncmp(p, path, len) == 0))
                        return true;
                p += len;
        }
        return false;
}

/* The per-module options, from the lists that name modules. */
static void pkcs11_resolve(Pkcs11Config *c) {
        for (size_t i = 0; i < c->n_modules; i++) {
                c->modules[i].os_locking = name_listed(c->os_locking, c->modules[i].path);
                c->modules[i].prefer = name_listed(c->prefer, c->modules[i].path);
        }
}

int pkcs11_config_add(Pkcs11Config *c, const char *path) {
        char *copy;

        if (c->n_modules >= PKCS11_MAX_MODULES)
                return -E2BIG;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        c->modules[c->n_modules++] = (Pkcs11ModuleConfig) {
                .path = copy,
                .os_locking = name_listed(c->os_locking, path),
                .prefer = name_listed(c->prefer, path),
        };
        return 0;
}

void pkcs11_config_check_names(const Pkcs11Config *c, const char *path) {
        const char *lists[] = { c->os_locking, c->prefer };
        const char *keys[] = { "OSLocking", "Prefer" };

        for (size_t k = 0; k < ELEMENTSOF(lists); k++)
                for (const char *p = lists[k] ? lists[k] + strspn(lists[k], " \t") : ""; *p;
                     p += strspn(p, " \t")) {
                        size_t len = strcspn(p, " \t");
                        bool found = false;
                        char name[256];

                        snprintf(name, sizeof name, "%.*s", (int) len, p);
                        for (size_t i = 0; i < c->n_modules && !found; i++)
                                found = name_listed(name, c->modules[i].path);
                        if (!found)
                                log_warning("%s: [PKCS11] %s names '%s', which is no module kartd uses "
                                            "(Modules= or p11-kit's registry), ignoring it.", path, keys[k], name);
                        p += len;
                }
}

int config_load(KartConfig *c, const char *path) {
        Parse p = { .config = c, .path = path };
        int r;

        p.file = fopen(path, "re");
        if (!p.file)
                return negative_errno();
        r = ini_parse_stream(read_line, &p, on_entry, &p);
        fclose(p.file);
        pkcs11_resolve(&c->pkcs11);
        /* r > 0 is a syntax error already reported by read_line. */
        return r < 0 || p.oom ? -ENOMEM : 0;
}

void config_done(KartConfig *c) {
        free(c->ocsp.responder);
        free(c->ocsp.trust_file);
        free(c->ocsp.trust_dir);
        free(c->ocsp.proxy);
        free(c->backend.url);
        free(c->backend.ca_file);
        free(c->backend.pinned_key);
        free(c->backend.portal_url);
        for (size_t i = 0; i < c->pkcs11.n_modules; i++)
                free(c->pkcs11.modules[i].path);
        free(c->pkcs11.os_locking);
        free(c->pkcs11.prefer);
        *c = (KartConfig) {};
}
