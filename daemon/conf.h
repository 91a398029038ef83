/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* /etc/kartd/kartd.conf, an INI file read with inih. A bad line is
 * reported with file:line and ignored; it never stops the daemon. */
typedef struct KartConfig {
        int log_level;          /* syslog level, -1 unset */
} KartConfig;

void config_init(KartConfig *c);
/* Returns 0, or -ENOENT when the file is absent (the defaults stay). */
int config_load(KartConfig *c, const char *path);
void config_done(KartConfig *c);

int log_level_from_string(const char *s);
