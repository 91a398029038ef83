# Certificates on a card: what the daemon shows of them (OpenSSL).
daemon_libkartd_la_SOURCES += \
	daemon/card/x509-info.c daemon/card/x509-info.h
