# An AKİS card with the "2.x" command set (2.0 and later, TCKK) as the
# public record describes it (the design note akis.md, column "v2.x set":
# MA3's command set and its AKIS20/AKIS2 PIN classes). Keys as in
# default.profile. What this card does:
#
#   ATR       3B9F978131FE4580655443D2210831C073F6218081055B (2.2.8
#             Infineon; "Recognising" rows). atr = overrides it, e.g. the
#             TCKK field test 3B9F978131FE458065544312210831C073F6218081059B
#             or 2.5.2 NXP 3B9F978131FE458065544353228231C073F62180810553
#   sizes     responses of at most 244 bytes, no extended APDUs (OpenSC's
#             v1.0 limits, kept here as the conservative choice)
#   files     as akis-1.2: MF 3F00, DF 3D00 "PKCS-15" with the PKCS#15 files
#   SELECT    as the 1.2 set ("SELECT" row: "same as v1.2")
#   PIN       user PIN 81 in DF 3D00: VERIFY 00 20 00 81 (never empty),
#             change 00 24 00 81 with old||new (ISO; the card splits them
#             by the stored PIN's length), blocked 6983
#   tries     SDO header read 00 CB 3F FF 08 4D 06 BF 81 01 02 A0 80 00:
#             BF 81 01 08 A0 06 9A 01 <max> 9B 01 <left> ("tries left" row)
#   issuer    PUK 82 (00 20 00 82, then 00 2C 02 81 <new>), system PIN 01,
#             00 24 01 81 (6982 without the system PIN; the real card wants
#             the issuer's secure messaging): real and recorded
#
# An empty VERIFY costs a try. Everything not in the table is refused and
# listed by the control command "forbidden".

[card]
profile = akis-2
serial = 4B41525400000020
label = AKIS 2 Test Card
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
