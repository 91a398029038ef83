# NULL-terminated string lists.
common_libkartcommon_la_SOURCES += \
	common/strv.c common/strv.h
