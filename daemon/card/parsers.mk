# Parsers for bytes that come from a card: BER-TLV, PKCS#15 files, ATRs
# (and the AKİS versions they name).
daemon_libkartd_la_SOURCES += \
	daemon/card/tlv.c daemon/card/tlv.h \
	daemon/card/pkcs15.c daemon/card/pkcs15.h \
	daemon/card/atr.c daemon/card/atr.h \
	daemon/card/akis-model.c daemon/card/akis-model.h
