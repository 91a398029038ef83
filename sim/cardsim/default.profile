# kart-cardsim card profile (INI). Comments start with ';' or '#' at the
# start of a line, or with ' ;' after a value. Unknown sections or keys and
# malformed lines are errors (reported as FILE:LINE). Every key is optional;
# the defaults are shown below.
#
# [card]
#   profile       = pkcs15             the card's command set:
#                   | akis-1.0           pkcs15: the project's reference card
#                   | akis-1.2           (what this file describes). akis-*:
#                   | akis-2             an AKİS card as the public record
#                   | akis-3             (the design note akis.md) gives each
#                                      version, one profile file each
#                                      (akis-1.0.profile ... akis-3.profile
#                                      say which rows they follow): its ATR,
#                                      MF 3F00 / DF 3D00 "PKCS-15", its SELECT
#                                      forms, PIN commands, tries read and
#                                      blocked SW, at most 244-byte responses
#                                      and no extended APDUs. The issuer's
#                                      commands have their real effect, and
#                                      every forbidden or unestablished
#                                      command is listed by the control
#                                      command "forbidden".
#   atr           = HEX                ATR; TCK is checked. Default pkcs15:
#                                      3B8B8001 80 57 "KARTSIM" 31C0 TCK;
#                                      akis-*: the version's (see its file)
#   serial        = HEX                TokenInfo serialNumber (4B41525400000001);
#                                      none: a TokenInfo without one
#   label         = TEXT               token label (KART Test Card)
#   manufacturer  = TEXT               manufacturerID (kartd cardsim)
#   akis_serial   = 12 CHARS           GET DATA 01 06 serial (akis-1.0 only;
#                                      default: last 6 serial bytes in hex)
#   t0            = BOOL               T=0 behaviour: 61xx + GET RESPONSE for
#                                      case 4, 6Cxx for a wrong READ BINARY Le
#   max_response  = N                  largest response (256; akis-* 244)
#   extended_apdu = BOOL               accept extended APDUs (true; akis-* false)
#
# [pin]
#   pin = 123456, puk = 12345678       initial values, used only when the
#                                      state file does not exist yet
#   min = 6, stored = 8, max = 8       user PIN lengths (stored = padded)
#   puk_min = 8, puk_stored = 8, puk_max = 8
#   pad = FF                           pad byte (hex)
#   tries = 3, puk_tries = 3           retry counters' maximum
#   system_pin = 87654321              akis-1.2/akis-2: the issuer's system
#   system_tries = 3                   PIN (reference 01) and its counter
#   empty_verify_decrements = false    quirk: an empty VERIFY costs a try
#                                      (pkcs15; on akis-* it always does)
#   label = User PIN, puk_label = PUK  AODF labels
#
# [admin]                              the admin key (backend protocol v1):
#                                      GET CHALLENGE 00 84 00 00 Le (8|16),
#                                      EXTERNAL AUTHENTICATE 00 82 00 REF 10 C
#                                      with C = AES-CMAC(K_card, "KDEA" ||
#                                      16-byte challenge), then one RESET
#                                      RETRY COUNTER 00 2C 02 81 (new PIN) or
#                                      00 2C 03 81 (counter only). No section:
#                                      no admin key (EXTERNAL AUTHENTICATE 6A88).
#                                      pkcs15 only: an akis-* profile with a
#                                      key is refused
#   master = HEX                       16-byte master key: K_card is derived
#                                      from it, the serial and key_version
#                                      (sim/common/admin-key.h); with serial
#                                      none the card has no admin key
#   key = HEX                          or K_card itself, 16 bytes (not both)
#   key_ref = 01                       P2 of EXTERNAL AUTHENTICATE (hex)
#   key_version = 01                   key version byte of the derivation (hex)
#   tries = 10                         admin counter's maximum (1..15): a wrong
#                                      cryptogram costs one (63Cx), 0 left
#                                      6983; a right one resets it
#
# [certificates]                       one transparent EF each, in this order
#   NAME = PATH                        DER or PEM certificate; a relative path
#                                      is relative to this file's directory
#   NAME.id = HEX                      PKCS#15 iD of cert and key (default:
#                                      01, 02, ... in order)
#   NAME.label = TEXT                  object label (default: NAME)
#
# Booleans: true/false, yes/no, 1/0. The pkcs15 card's file system (fixed):
# MF 3F00, EF.DIR 2F00, DF 5015 (AID A000000063504B43532D3135) with ODF 5031,
# TokenInfo 5032, AODF 4401, PrKDF 4402, CDF 4403, certificates 4411, 4412...
# PIN reference 81 (authId 01), PUK reference 02 (authId 02). The akis-*
# cards hold the same files in DF 3D00 (EF.DIR only on akis-1.0); their
# PIN references: akis-1.0 user 80, PUK/SO 00; the others user 81, PUK 82,
# system PIN 01.

[card]
profile = pkcs15
serial = 4B41525400000001
label = KART Test Card
manufacturer = kartd cardsim

[pin]
pin = 123456
puk = 12345678
min = 6
stored = 8
max = 8
tries = 3
puk_tries = 3
empty_verify_decrements = false

[admin]
master = 000102030405060708090A0B0C0D0E0F
key_ref = 01
key_version = 01
tries = 10

[certificates]
; The test world writes its own profile pointing at the certificates that
; sim/ca/make-test-ca generated, e.g.:
; sign = ca/sign.der
; auth = ca/auth.der
; expiring = ca/expiring.der
