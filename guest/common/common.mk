# The shared runtime of the built-in guests (guest/common/) and the recipe
# that turns guest/<name>/ into $(BUILD)/guest/<name>.bin.  Each guest's
# .mk includes this file and calls
#
#   $(eval $(call guest_image,<name>,<extra objects>))
#
# which compiles guest/<name>/*.c and *.asm, the runtime and lib/fmt.c,
# lib/kstring.c into $(BUILD)/guest/<name>/, links them and the AP
# trampoline (for smp.c) with the shared linker script, and gives a
# `make <name>-guest` target.  The runtime is
# compiled once per guest, not shared as objects: GUEST_NAME (the prefix of
# every line the guest prints) is a compile-time constant.
# Contract with Kestrel: guest/guest_image.h.

ifndef GUEST_COMMON_MK
GUEST_COMMON_MK := 1

GUEST_LDS          := guest/common/linker.ld
GUEST_CHECK_HEADER := guest/common/check-header.sh

# The kernel's code model and flags (no SSE, no red zone: interrupts land
# on the same stack), but nothing else of the kernel: fmt.c and kstring.c
# are compiled in from source.
GUEST_CFLAGS := --target=x86_64-unknown-none-elf -std=gnu11 $(WARN) -O2 \
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mgeneral-regs-only \
    -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
    -MMD -MP $(INCLUDES)

GUEST_COMMON_SRCS := $(wildcard guest/common/*.c) lib/fmt.c lib/kstring.c
GUEST_COMMON_ASMS := $(wildcard guest/common/*.asm)

# The AP trampoline (guest/common/smp.c) is the kernel's own source,
# assembled and embedded again, once for every guest image.
GUEST_TRAMPOLINE_BIN := $(BUILD)/guest/common/trampoline.bin
GUEST_TRAMPOLINE_OBJ := $(BUILD)/guest/common/trampoline_blob.asm.o

$(GUEST_TRAMPOLINE_BIN): kernel/trampoline.asm
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f bin $< -o $@

$(GUEST_TRAMPOLINE_OBJ): kernel/trampoline_blob.asm $(GUEST_TRAMPOLINE_BIN)
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f elf64 -DTRAMPOLINE_BIN='"$(GUEST_TRAMPOLINE_BIN)"' $< -o $@

# $(1): the guest's name (its directory under guest/ and its image name);
# $(2): further objects to link (built by the guest's own rules).
define guest_image
GUEST_OUT_$(1)  := $$(BUILD)/guest/$(1)
GUEST_SRCS_$(1) := $$(wildcard guest/$(1)/*.c) $$(GUEST_COMMON_SRCS)
GUEST_ASMS_$(1) := $$(wildcard guest/$(1)/*.asm) $$(GUEST_COMMON_ASMS)
GUEST_OBJS_$(1) := $$(GUEST_SRCS_$(1):%.c=$$(GUEST_OUT_$(1))/%.o) \
                   $$(GUEST_ASMS_$(1):%.asm=$$(GUEST_OUT_$(1))/%.asm.o) \
                   $$(GUEST_TRAMPOLINE_OBJ) $(2)

.PHONY: $(1)-guest
$(1)-guest: $$(BUILD)/guest/$(1).bin

$$(GUEST_OUT_$(1))/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(1))"
	$$(Q)$$(CLANG) $$(GUEST_CFLAGS) -DGUEST_NAME='"$(1)"' -c $$< -o $$@

$$(GUEST_OUT_$(1))/%.asm.o: %.asm
	@mkdir -p $$(dir $$@)
	@echo "  NASM    $$< ($(1))"
	$$(Q)$$(NASM) -f elf64 $$< -o $$@

$$(GUEST_OUT_$(1))/$(1).elf: $$(GUEST_OBJS_$(1)) $$(GUEST_LDS)
	@echo "  LD      $$@"
	$$(Q)$$(LLD) -nostdlib -static -z max-page-size=4096 -T $$(GUEST_LDS) -o $$@ $$(GUEST_OBJS_$(1))

# check-header.sh refuses a binary whose header does not match the ELF.
$$(BUILD)/guest/$(1).bin: $$(GUEST_OUT_$(1))/$(1).elf $$(GUEST_CHECK_HEADER)
	@echo "  OBJCOPY $$@"
	$$(Q)objcopy -O binary $$< $$@
	$$(Q)$$(GUEST_CHECK_HEADER) $$@ $$<
endef

endif
