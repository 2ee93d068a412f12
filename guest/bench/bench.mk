# The built-in benchmark guest (guest/bench/): runs on the BSP only and
# times the round trip of each kind of exit Kestrel handles, as
# "bench: <name> <cycles> cycles" lines (scripts/bench.sh tabulates them).
# Built by guest/common/common.mk; included by the top-level Makefile.
#
#   make bench-guest    build $(BUILD)/guest/bench.bin

include guest/common/common.mk

$(eval $(call guest_image,bench,))
