/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "conf.h"

/* Runs the daemon until SIGTERM/SIGINT: the event loop, the bus name, the
 * PC/SC monitor and the engine. Returns 0 on a clean exit, -errno else. */
int daemon_run(const KartConfig *config);
