# The built-in self-test guest (guest/selftest/): a freestanding 64-bit
# image that runs inside the VM on every vCPU and checks the hypervisor.
# Built by guest/common/common.mk with the shared runtime; included by the
# top-level Makefile.
#
#   make selftest-guest    build $(BUILD)/guest/selftest.bin

include guest/common/common.mk

SELFTEST_OUT := $(BUILD)/guest/selftest

# The AP trampoline is the kernel's own source, assembled and embedded again.
$(SELFTEST_OUT)/trampoline.bin: kernel/trampoline.asm
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f bin $< -o $@

$(SELFTEST_OUT)/trampoline_blob.asm.o: kernel/trampoline_blob.asm $(SELFTEST_OUT)/trampoline.bin
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f elf64 -DTRAMPOLINE_BIN='"$(SELFTEST_OUT)/trampoline.bin"' $< -o $@

$(eval $(call guest_image,selftest,$(SELFTEST_OUT)/trampoline_blob.asm.o))
