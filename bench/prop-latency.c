/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prop-latency CARD_PATH SECONDS: reads the card's PinState over one
 * system-bus connection, back to back, for SECONDS; prints the count and
 * the median, p99 and largest round trip. A benchmark: it never fails. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <time.h>

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        uint64_t *t, end;
        size_t n = 0, cap = 1 << 20;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: prop-latency CARD_PATH SECONDS\n");
                return 2;
        }
        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "no bus: %s\n", strerror(-r));
                return 1;
        }
        t = calloc(cap, sizeof *t);
        end = now_usec() + (uint64_t) (atof(argv[2]) * 1e6);
        while (t && n < cap && now_usec() < end) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                char *v = NULL;
                uint64_t t0 = now_usec();

                r = sd_bus_get_property_string(bus, "org.kartd.Kartd1", argv[1], "org.kartd.Kartd1.Card",
                                               "PinState", &error, &v);
                t[n++] = now_usec() - t0;
                free(v);
                sd_bus_error_free(&error);
                if (r < 0) {
                        fprintf(stderr, "read failed: %s\n", strerror(-r));
                        break;
                }
        }
        if (n > 0) {
                qsort(t, n, sizeof *t, cmp);
                printf("%zu reads: median %.2f ms, p99 %.2f ms, max %.2f ms\n", n, t[n / 2] / 1000.0,
                       t[n * 99 / 100] / 1000.0, t[n - 1] / 1000.0);
        }
        free(t);
        sd_bus_unref(bus);
        return 0;
}
