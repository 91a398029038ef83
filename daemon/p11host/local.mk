# kart-p11-host: one PKCS#11 module in a sandboxed process of its own,
# served to kartd over p11-kit's RPC (daemon/p11host/p11host.c).
libexec_PROGRAMS += daemon/p11host/kart-p11-host
daemon_p11host_kart_p11_host_SOURCES = \
	daemon/p11host/p11host.c daemon/p11host/p11host.h daemon/p11host/p11host-protocol.h \
	daemon/p11host/p11host-sandbox.c \
	daemon/p11host/p11host-module.c
daemon_p11host_kart_p11_host_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(SECCOMP_CFLAGS)
daemon_p11host_kart_p11_host_LDADD = $(P11KIT_LIBS) $(SECCOMP_LIBS) -ldl
