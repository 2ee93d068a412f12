# The built-in self-test guest (guest/selftest/): a freestanding 64-bit
# image that runs inside the VM on every vCPU and checks the hypervisor.
# Contract with Kestrel: guest/guest_image.h.  Included by the top-level
# Makefile; every variable is prefixed SELFTEST_.
#
#   make selftest-guest    build $(BUILD)/guest/selftest.bin

SELFTEST_OUT    := $(BUILD)/guest/selftest
SELFTEST_BIN    := $(BUILD)/guest/selftest.bin
SELFTEST_ELF    := $(SELFTEST_OUT)/selftest.elf
SELFTEST_LDS    := guest/selftest/linker.ld

# The kernel's code model and flags (no SSE, no red zone: interrupts land
# on the same stack), but nothing else of the kernel: fmt.c and kstring.c
# are compiled in from source.
SELFTEST_CFLAGS := --target=x86_64-unknown-none-elf -std=gnu11 $(WARN) -O2 \
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mgeneral-regs-only \
    -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
    -MMD -MP $(INCLUDES)

SELFTEST_SRCS := $(wildcard guest/selftest/*.c) lib/fmt.c lib/kstring.c
SELFTEST_ASMS := $(wildcard guest/selftest/*.asm)
SELFTEST_OBJS := $(SELFTEST_SRCS:%.c=$(SELFTEST_OUT)/%.o) \
                 $(SELFTEST_ASMS:%.asm=$(SELFTEST_OUT)/%.asm.o) \
                 $(SELFTEST_OUT)/trampoline_blob.asm.o

.PHONY: selftest-guest
selftest-guest: $(SELFTEST_BIN)

$(SELFTEST_OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (selftest)"
	$(Q)$(CLANG) $(SELFTEST_CFLAGS) -c $< -o $@

$(SELFTEST_OUT)/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (selftest)"
	$(Q)$(NASM) -f elf64 $< -o $@

# The AP trampoline is the kernel's own source, assembled and embedded again.
$(SELFTEST_OUT)/trampoline.bin: kernel/trampoline.asm
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f bin $< -o $@

$(SELFTEST_OUT)/trampoline_blob.asm.o: kernel/trampoline_blob.asm $(SELFTEST_OUT)/trampoline.bin
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f elf64 -DTRAMPOLINE_BIN='"$(SELFTEST_OUT)/trampoline.bin"' $< -o $@

$(SELFTEST_ELF): $(SELFTEST_OBJS) $(SELFTEST_LDS)
	@echo "  LD      $@"
	$(Q)$(LLD) -nostdlib -static -z max-page-size=4096 -T $(SELFTEST_LDS) -o $@ $(SELFTEST_OBJS)

# check-header.sh refuses a binary whose header does not match the ELF.
$(SELFTEST_BIN): $(SELFTEST_ELF) guest/selftest/check-header.sh
	@echo "  OBJCOPY $@"
	$(Q)objcopy -O binary $< $@
	$(Q)guest/selftest/check-header.sh $@ $<
