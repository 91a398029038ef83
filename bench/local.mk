# Benchmarks: they print figures, they never pass or fail (see README.md).
noinst_PROGRAMS += bench/insert-latency
bench_insert_latency_SOURCES = bench/insert-latency.c
bench_insert_latency_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(PCSC_CFLAGS)
bench_insert_latency_LDADD = $(SYSTEMD_LIBS) $(PCSC_LIBS) -lpthread
EXTRA_DIST += bench/run-all bench/idle.sh bench/certs.sh bench/unlock-latency.sh bench/desktop.sh bench/pkcs11.sh \
	bench/card-apdus.sh bench/limits.sh bench/host-exposure.sh

noinst_PROGRAMS += bench/prop-latency
bench_prop_latency_SOURCES = bench/prop-latency.c
bench_prop_latency_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
bench_prop_latency_LDADD = $(SYSTEMD_LIBS)
