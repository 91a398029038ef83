# An AKİS v1.0 card as the public record describes it (the design note
# akis.md, column "v1.0 (OpenSC)"; OpenSC's card-akis.c, removed in 0.25).
# Keys as in default.profile. What this card does:
#
#   ATR       3BBA11008131FE4D55454B41452056312E30AE ("UEKAE V1.0"), the
#             only ATR OpenSC's akis driver matched ("Recognising" rows)
#   sizes     responses of at most 244 bytes, no extended APDUs ("sizes" row)
#   files     MF 3F00 with EF.DIR 2F00 (the PKCS#15 AID, path 3F003D00: a
#             choice, OpenSC's generic PKCS#15 layer found the application
#             through EF.DIR with this driver), DF 3D00 "PKCS-15" with ODF
#             5031, TokenInfo 5032, AODF 4401, PrKDF 4402, CDF 4403 and the
#             certificates 4411...
#   SELECT    00 A4 08 00 by path (with or without 3F00), 00 A4 02 00 an EF
#             by FID, 00 A4 00 00 a DF by FID (an EF that way: 6A82); FCI
#             6F with tag 90 ("SELECT" row); anything else 6A86
#   PIN       user PIN reference 80: VERIFY 00 20 00 80 (ASCII, unpadded),
#             change 00 24 02 00 with len||old||len||new (ref & 7F);
#             blocked 6984 ("VERIFY", "change", "blocked" rows)
#   tries     tag 90 of DF 3D00's FCI: 40 after a wrong PIN, 80 at the last
#             try, 40|80 locked (a choice; "tries left" row)
#   serial    GET DATA 00 CA 01 06, Le 4D: akis_serial at bytes 55..66
#   logout    80 1A 00 00
#   PUK/SO    reference 00 (00 20 00 00), its change 00 24 01 (any P2):
#             the issuer's; a wrong value spends a PUK try, none left =
#             a dead card ("PUK" row)
#
# Everything else (00 2C, 00 CB, GET DATA other than 01 06, other CLAs...)
# is refused and listed by the control command "forbidden".

[card]
profile = akis-1.0
serial = 4B41525400000010
label = AKIS v1.0 Test Card
manufacturer = kartd cardsim
akis_serial = 0000AK100001

[pin]
pin = 123456
puk = 12345678
min = 6
stored = 8
max = 8
tries = 3
puk_tries = 3

[certificates]
