# An AKİS card with the "1.2" command set (v1.1 to v1.3) as the public
# record describes it (the design note akis.md, column "v1.2 set": MA3's
# AKIS12*ParolaDegistirici classes and command set). Keys as in
# default.profile. What this card does:
#
#   ATR       3B9F968131FE45806755454B41451293318073B3A1806B ("UEKAE" 12 93,
#             v1.2.2 NXP; "Recognising" rows); atr = overrides it
#   sizes     responses of at most 244 bytes, no extended APDUs (OpenSC's
#             v1.0 limits, kept here as the conservative choice)
#   files     MF 3F00, DF 3D00 named "PKCS-15" ("SELECT" row) with ODF 5031,
#             TokenInfo 5032, AODF 4401, PrKDF 4402, CDF 4403 and the
#             certificates 4411...; no EF.DIR
#   SELECT    00 A4 00 00 a file directly under the MF (or the MF), 01 00 a
#             child DF, 02 00 an EF of the current DF, 04 00 a DF by name;
#             path forms and other P2: 6A86 ("SELECT" row)
#   PIN       user PIN 81 in DF 3D00: VERIFY 00 20 00 81 (ASCII, unpadded),
#             change 00 24 00 81 with len||old||len||new, blocked 6984
#   tries     none: only the 63Cx answers ("tries left" row)
#   issuer    system PIN 01 (00 20 00 01, its own counter), 80 09 00 02,
#             00 24 01 81 (6982 without the system PIN), PUK 82,
#             00 2C 00 81 with the PUK, 00 2C 02 81: all real and recorded
#             ("admin" and "PUK" rows)
#
# An empty VERIFY costs a try. Everything not in the table is refused and
# listed by the control command "forbidden".

[card]
profile = akis-1.2
serial = 4B41525400000012
label = AKIS 1.2 Test Card
manufacturer = kartd cardsim

[pin]
pin = 123456
puk = 12345678
system_pin = 87654321
min = 6
stored = 8
max = 8
tries = 3
puk_tries = 3
system_tries = 3

[certificates]
