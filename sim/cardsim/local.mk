# kart-cardsim: the simulated smart card (vsmartcard vpcd client) and the
# test-CA script. Included by the top-level Makefile.am (non-recursive).

noinst_PROGRAMS += sim/cardsim/kart-cardsim

sim_cardsim_kart_cardsim_SOURCES = \
	sim/cardsim/cardsim.h \
	sim/cardsim/main.c \
	sim/cardsim/control.c \
	sim/cardsim/vpcd.c \
	sim/cardsim/apdu.c \
	sim/cardsim/fs.c \
	sim/cardsim/pin.c \
	sim/cardsim/admin.c \
	sim/cardsim/akis.c \
	sim/cardsim/akis-pin.c \
	sim/cardsim/pkcs15-build.c \
	sim/cardsim/tlv.c \
	sim/cardsim/profile.c \
	sim/cardsim/state.c \
	sim/cardsim/faults.c
sim_cardsim_kart_cardsim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common -I$(top_srcdir)/sim/common
sim_cardsim_kart_cardsim_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(OPENSSL_CFLAGS)
sim_cardsim_kart_cardsim_LDADD = sim/common/libkartsim.la $(INIH_LIBS) $(OPENSSL_LIBS)

EXTRA_DIST += \
	sim/cardsim/default.profile \
	sim/cardsim/akis-1.0.profile \
	sim/cardsim/akis-1.2.profile \
	sim/cardsim/akis-2.profile \
	sim/cardsim/akis-3.profile \
	sim/ca/make-test-ca
