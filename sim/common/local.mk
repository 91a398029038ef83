# Code shared by the simulators (never by the installed daemon): the admin
# key and unlock cryptogram of backend protocol v1.
noinst_LTLIBRARIES += sim/common/libkartsim.la
sim_common_libkartsim_la_SOURCES = sim/common/admin-key.c sim/common/admin-key.h
sim_common_libkartsim_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
sim_common_libkartsim_la_LIBADD = $(OPENSSL_LIBS)
