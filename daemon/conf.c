/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "macro.h"

typedef struct Parse {
        KartConfig *config;
        const char *path;
        FILE *file;
        int line;       /* the line inih is looking at */
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

/* Debian's inih passes no line numbers to handlers, so count them here. */
static char *read_line(char *buf, int size, void *userdata) {
        Parse *p = userdata;
        char *s = fgets(buf, size, p->file);

        if (!s)
                return NULL;
        p->line++;
        /* inih only returns the first bad line; name each one here. */
        s += strspn(s, " \t");
        if (*s && !strchr("#;[\r\n", *s) && !strpbrk(s, "=:"))
                log_warning("%s:%d: not a 'key=value' line, ignoring.", p->path, p->line);
        return buf;
}

static int on_entry(void *userdata, const char *section, const char *name, const char *value) {
        Parse *p = userdata;
        int lineno = p->line;

        if (strcasecmp(section, "daemon") == 0 && strcasecmp(name, "LogLevel") == 0) {
                int l = log_level_from_string(value);
                if (l < 0)
                        log_warning("%s:%d: unknown LogLevel '%s', ignoring.", p->path, lineno, value);
                else
                        p->config->log_level = l;
        } else
                log_warning("%s:%d: unknown setting [%s] %s, ignoring.", p->path, lineno, section, name);
        return 1;       /* go on with the next line */
}

void config_init(KartConfig *c) {
        *c = (KartConfig) { .log_level = -1 };
}

int config_load(KartConfig *c, const char *path) {
        Parse p = { .config = c, .path = path };
        int r;

        p.file = fopen(path, "re");
        if (!p.file)
                return negative_errno();
        r = ini_parse_stream(read_line, &p, on_entry, &p);
        fclose(p.file);
        /* r > 0 is a syntax error already reported by read_line. */
        return r < 0 ? -ENOMEM : 0;
}

void config_done(KartConfig *c) {
        *c = (KartConfig) {};
}
