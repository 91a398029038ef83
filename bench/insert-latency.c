/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Measures the time from a card's insertion (the simulated card connects
 * to vpcd) to kartd's CardInserted signal, and, in the same run, to a
 * plain SCardGetStatusChange watcher seeing the card: the difference is
 * what kartd adds (identification of the card plus the bus).
 *
 * usage: insert-latency CARDSIM_CONTROL_SOCKET [ROUNDS]
 * (in a test world: DBUS_SYSTEM_BUS_ADDRESS and PCSCLITE_CSOCK_NAME set) */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>
#include <winscard.h>

#define MAX_ROUNDS 200

static atomic_uint_fast64_t pcsc_seen_ns;

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static int control(const char *path, const char *cmd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char reply[256];
        ssize_t n;
        int fd;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
                close(fd);
                return -1;
        }
        n = read(fd, reply, sizeof reply - 1);
        close(fd);
        return n > 2 && strncmp(reply, "ok", 2) == 0 ? 0 : -1;
}

/* The plain watcher: what any PC/SC application could see at best. */
static void *pcsc_watcher(void *userdata) {
        SCARDCONTEXT ctx;
        char readers[1024];
        DWORD len = sizeof readers;
        SCARD_READERSTATE st = {};

        if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS ||
            SCardListReaders(ctx, NULL, readers, &len) != SCARD_S_SUCCESS)
                return NULL;
        st.szReader = readers;
        st.dwCurrentState = SCARD_STATE_UNAWARE;
        for (;;) {
                if (SCardGetStatusChange(ctx, INFINITE, &st, 1) != SCARD_S_SUCCESS)
                        break;
                if ((st.dwEventState & SCARD_STATE_PRESENT) && !(st.dwCurrentState & SCARD_STATE_PRESENT))
                        atomic_store(&pcsc_seen_ns, now_ns());
                st.dwCurrentState = st.dwEventState & ~SCARD_STATE_CHANGED;
        }
        return NULL;
}

static int on_inserted(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        *(uint64_t *) userdata = now_ns();
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static double median_ms(uint64_t *v, int n) {
        qsort(v, (size_t) n, sizeof *v, cmp_u64);
        return (n % 2 ? (double) v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) / 1e6;
}

static int wait_bus(sd_bus *bus, uint64_t *seen, uint64_t deadline) {
        while (!*seen && now_ns() < deadline) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        (void) sd_bus_wait(bus, 100000);
        }
        return *seen ? 0 : -1;
}

int main(int argc, char *argv[]) {
        uint64_t kartd[MAX_ROUNDS], plain[MAX_ROUNDS], seen = 0;
        sd_bus *bus = NULL;
        pthread_t thread;
        int rounds = argc > 2 ? atoi(argv[2]) : 20, n = 0;

        if (argc < 2 || rounds < 1 || rounds > MAX_ROUNDS) {
                fprintf(stderr, "usage: insert-latency CARDSIM_CONTROL_SOCKET [ROUNDS<=%d]\n", MAX_ROUNDS);
                return 2;
        }
        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_match_signal(bus, NULL, "org.kartd.Kartd1", "/org/kartd/Kartd1",
                                "org.kartd.Kartd1.Manager", "CardInserted", on_inserted, &seen) < 0) {
                fprintf(stderr, "cannot watch kartd on the system bus\n");
                return 1;
        }
        pthread_create(&thread, NULL, pcsc_watcher, NULL);

        for (int i = 0; i < rounds; i++) {
                uint64_t t0;

                control(argv[1], "remove");
                usleep(1200 * 1000);    /* let pcscd and kartd see the removal */
                seen = 0;
                atomic_store(&pcsc_seen_ns, 0);
                t0 = now_ns();
                if (control(argv[1], "insert") < 0 || wait_bus(bus, &seen, t0 + 5000000000ull) < 0) {
                        fprintf(stderr, "round %d: no CardInserted within 5 s\n", i + 1);
                        continue;
                }
                while (!atomic_load(&pcsc_seen_ns) && now_ns() < t0 + 5000000000ull)
                        usleep(1000);
                kartd[n] = seen - t0;
                plain[n] = atomic_load(&pcsc_seen_ns) - t0;
                n++;
        }
        if (n == 0)
                return 1;
        printf("insertions measured:                        %d of %d\n", n, rounds);
        printf("median insertion -> plain SCardGetStatusChange: %.1f ms\n", median_ms(plain, n));
        printf("median insertion -> kartd CardInserted:         %.1f ms\n", median_ms(kartd, n));
        sd_bus_unref(bus);
        return 0;
}
