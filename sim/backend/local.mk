# kart-backend-sim: the reference backend of backend protocol v1
# (doc/backend-protocol.md). A test tool; never installed.
noinst_PROGRAMS += sim/backend/kart-backend-sim

sim_backend_kart_backend_sim_SOURCES = \
	sim/backend/backend.h \
	sim/backend/main.c \
	sim/backend/server.c \
	sim/backend/route.c \
	sim/backend/jcheck.c \
	sim/backend/sessions.c \
	sim/backend/unblock.c \
	sim/backend/certificates.c \
	sim/backend/ca-index.c \
	sim/backend/store.c \
	sim/backend/data.c \
	sim/backend/logs.c
sim_backend_kart_backend_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common -I$(top_srcdir)/sim/common
sim_backend_kart_backend_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) -pthread
sim_backend_kart_backend_sim_LDADD = sim/common/libkartsim.la $(MHD_LIBS) $(JANSSON_LIBS) $(OPENSSL_LIBS) -lpthread

EXTRA_DIST += doc/backend-protocol.md
