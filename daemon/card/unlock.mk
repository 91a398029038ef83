# The card side of the online unlock (backend protocol v1): admin key
# authentication and RESET RETRY COUNTER with a new PIN.
daemon_libkartd_la_SOURCES += \
	daemon/card/card-unlock.c daemon/card/card-unlock.h
