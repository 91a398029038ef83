# The network side: HTTP over libcurl multi on sd-event, OCSP.
daemon_libkartd_la_SOURCES += \
	daemon/backend/http.c daemon/backend/http.h \
	daemon/backend/ocsp.c daemon/backend/ocsp.h \
	daemon/backend/ocsp-check.c daemon/backend/ocsp-check.h \
	daemon/backend/backend-client.c daemon/backend/backend-client.h
