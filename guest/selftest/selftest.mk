# The built-in self-test guest (guest/selftest/): a freestanding 64-bit
# image that runs inside the VM on every vCPU and checks the hypervisor.
# Built by guest/common/common.mk with the shared runtime; included by the
# top-level Makefile.
#
#   make selftest-guest    build $(BUILD)/guest/selftest.bin

include guest/common/common.mk

# The AP trampoline comes with the runtime (guest/common/smp.c).
$(eval $(call guest_image,selftest,))
