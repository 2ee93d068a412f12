# The built-in hostile guest (guest/hostile/): on every vCPU it tries, one
# case at a time, what a guest must not be able to do to Kestrel; each case
# prints "hostile: <case> refused", "hostile: <case> NOT REFUSED (<what
# happened>)" or "hostile: <case> skipped (<why>)", then the verdict.
# Built by guest/common/common.mk; included by the top-level Makefile.
#
#   make hostile-guest    build $(BUILD)/guest/hostile.bin

include guest/common/common.mk

$(eval $(call guest_image,hostile,))
