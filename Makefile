# Kestrel: bootable x86-64 micro-hypervisor.
#   make run    build, install missing packages, boot in the best emulator
#   make test   every test; ends with "N passed, N failed, N skipped"
#   make iso    build/kestrel.iso (hybrid: CD and USB stick)
# Knobs: EMU=qemu|bochs|kvm  SMP=n  MEM=MiB  CFG=path/to/kestrel.cfg
#        make iso KERNEL=bzImage [INITRD=file] [CMDLINE="..."]   a Linux guest image
#        make iso MULTIBOOT=kernel [MODULES="file[:args] ..."] [CMDLINE="..."]   a multiboot guest image
#        make run PAYLOAD=linux   Debian's cloud kernel + a test initramfs (fetched into the cache)

BUILD      ?= build

# Every target that builds installs the Debian packages that are missing first, once per make
# invocation (scripts/install-deps.sh only asks dpkg when nothing is missing), so `make iso` or
# `make bench` work on a fresh machine as `make run` and `make test` do.
ifneq ($(filter-out clean deps,$(or $(MAKECMDGOALS),all)),)
ifneq ($(KESTREL_DEPS_DONE),1)
$(shell scripts/install-deps.sh >&2)
ifneq ($(.SHELLSTATUS),0)
$(error scripts/install-deps.sh could not install the packages Kestrel needs (see above))
endif
export KESTREL_DEPS_DONE := 1
endif
endif
SMP        ?= 4
MEM        ?=
EMU        ?=
CFG        ?=
KERNEL     ?=
INITRD     ?=
CMDLINE    ?= console=ttyS0,115200
PAYLOAD    ?=
MULTIBOOT  ?=
MODULES    ?=

CLANG      ?= clang
LLD        ?= ld.lld
EFI_CC     ?= gcc
NASM       ?= nasm

V          ?= 0
Q          := $(if $(filter 1,$(V)),,@)

WARN       := -Wall -Wextra -Werror
INCLUDES   := -I. -Iinclude

# ---- kernel (freestanding, higher half, no SSE, frame pointers for backtraces)
KERNEL_CFLAGS := --target=x86_64-unknown-none-elf -std=gnu11 $(WARN) -O2 -g \
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mgeneral-regs-only \
    -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
    -MMD -MP $(INCLUDES)
# The kernel's sources are found, not listed: every top-level directory is
# kernel code unless excluded here, so a new directory (a backend, a driver
# family) is built without touching this file.
NON_KERNEL_DIRS := boot tests scripts docs include build $(BUILD) .ci
# The built-in guests (and the runtime they share) are separate images, each
# built by its own guest/<name>/<name>.mk: a directory with a .mk is theirs.
GUEST_IMAGE_DIRS := $(patsubst %/,%,$(dir $(wildcard guest/*/*.mk)))
# kernel/trampoline.asm is a flat 16-bit binary, embedded by
# trampoline_blob.asm (rule below), not an object of its own.
KERNEL_FLAT_ASMS := kernel/trampoline.asm

# A directory's subdirectories, and a directory tree, as paths without the
# trailing slash $(wildcard x/*/) gives.
subdirs_of = $(patsubst %/,%,$(wildcard $(addsuffix /*/,$(1))))
dir_tree   = $(foreach d,$(1),$(d) $(call dir_tree,$(call subdirs_of,$(d))))
KERNEL_TOP_DIRS := $(filter-out $(NON_KERNEL_DIRS),$(patsubst %/,%,$(wildcard */)))
KERNEL_DIRS := $(filter-out $(GUEST_IMAGE_DIRS) $(addsuffix /%,$(GUEST_IMAGE_DIRS)), \
                   $(call dir_tree,$(KERNEL_TOP_DIRS)))
KERNEL_SRCS := $(wildcard $(addsuffix /*.c,$(KERNEL_DIRS)))
KERNEL_ASMS := $(filter-out $(KERNEL_FLAT_ASMS),$(wildcard $(addsuffix /*.asm,$(KERNEL_DIRS))))
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/kernel/%.o) $(KERNEL_ASMS:%.asm=$(BUILD)/kernel/%.asm.o)

# ---- loader (GNU-EFI; flags from ../shared/notes/emulators.md §1)
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
EFI_CFLAGS := -std=gnu11 $(WARN) -O2 -I$(EFI_INC) -I$(EFI_INC)/x86_64 $(INCLUDES) \
    -fpic -ffreestanding -fno-stack-protector -fno-stack-check -fshort-wchar \
    -mno-red-zone -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI -MMD -MP
LOADER_SRCS := $(wildcard boot/*.c) $(wildcard lib/*.c)
LOADER_OBJS := $(LOADER_SRCS:%.c=$(BUILD)/boot/%.o)
# Link and conversion shared by every GNU-EFI application (loader, fakeacpi).
EFI_LDFLAGS := -shared -Bsymbolic -nostdlib -znocombreloc --no-undefined -L$(EFI_LIB) \
    -T$(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT0    := $(EFI_LIB)/crt0-efi-x86_64.o
EFI_LIBS    := -lefi -lgnuefi
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
    -j '.rel.*' -j '.rela.*' -j .reloc

# ---- fakeacpi.efi: test-only firmware stand-in that installs ACPI tables and
# chain-loads the loader (docs/testing.md); shares the loader's lib objects
# (the ACPI builder and reader, strings, printf).
FAKEACPI_OBJS := $(BUILD)/boot/tests/fakeacpi/fakeacpi.o $(BUILD)/boot/lib/acpi_build.o \
    $(BUILD)/boot/lib/acpi_read.o $(BUILD)/boot/lib/kstring.o $(BUILD)/boot/lib/fmt.o

ISO        := $(BUILD)/kestrel.iso

.PHONY: all iso kernel loader fakeacpi run test unit-tests deps bochs clean bench
all: iso

kernel: $(BUILD)/kestrel.elf
loader: $(BUILD)/BOOTX64.EFI
fakeacpi: $(BUILD)/fakeacpi.efi

# The exit dispatcher runs with the guest's RBP (the exit stub does not set
# up a host frame), so a frame pointer there buys no backtrace: drop it on
# the hottest path.
$(BUILD)/kernel/vmx/exit_dispatch.o: KERNEL_CFLAGS += -fomit-frame-pointer

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CLANG) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/trampoline.bin: kernel/trampoline.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin $< -o $@

$(BUILD)/kernel/kernel/trampoline_blob.asm.o: kernel/trampoline_blob.asm $(BUILD)/kernel/trampoline.bin
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -DTRAMPOLINE_BIN='"$(BUILD)/kernel/trampoline.bin"' $< -o $@

$(BUILD)/font.psf: scripts/fetch-font.sh
	@scripts/fetch-font.sh $@

$(BUILD)/kernel/drivers/font_blob.asm.o: drivers/font_blob.asm $(BUILD)/font.psf
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -DFONT_PSF='"$(BUILD)/font.psf"' $< -o $@

GUEST_IMAGES := $(BUILD)/guest/selftest.bin $(BUILD)/guest/hostile.bin $(BUILD)/guest/bench.bin
$(BUILD)/kernel/guest/images.asm.o: guest/images.asm $(GUEST_IMAGES)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -DSELFTEST_BIN='"$(BUILD)/guest/selftest.bin"' \
	    -DHOSTILE_BIN='"$(BUILD)/guest/hostile.bin"' -DBENCH_BIN='"$(BUILD)/guest/bench.bin"' $< -o $@

$(BUILD)/kernel/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f elf64 -I./ -M -MT $@ -MF $@.d -MP $<   # NASM 2.16's -MD omits includes
	$(Q)$(NASM) -f elf64 -g -I./ $< -o $@

$(BUILD)/kestrel.elf: $(KERNEL_OBJS) linker.ld
	$(LLD) -nostdlib -static -z max-page-size=4096 -T linker.ld -o $@ $(KERNEL_OBJS)

$(BUILD)/boot/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  EFI-CC  $<"
	$(Q)$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/loader.so: $(LOADER_OBJS)
	ld $(EFI_LDFLAGS) $(EFI_CRT0) $(LOADER_OBJS) -o $@ $(EFI_LIBS)

$(BUILD)/BOOTX64.EFI: $(BUILD)/loader.so
	objcopy $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/fakeacpi.so: $(FAKEACPI_OBJS)
	ld $(EFI_LDFLAGS) $(EFI_CRT0) $(FAKEACPI_OBJS) -o $@ $(EFI_LIBS)

$(BUILD)/fakeacpi.efi: $(BUILD)/fakeacpi.so
	objcopy $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

# The image: loader, kernel and (optionally) a kestrel.cfg, all inside the
# FAT boot image (OVMF reads no ISO 9660).
# With KERNEL= the image carries that Linux (and INITRD) and a generated
# kestrel.cfg that boots it; paths are checked before anything is built.
ifneq ($(KERNEL),)
GEN_CFG   := $(BUILD)/linux-image/kestrel.cfg
CFG       := $(GEN_CFG)
EXTRA_FILES := $(KERNEL):vmlinuz $(if $(INITRD),$(INITRD):initrd)
GEN_CMD   := scripts/linux-cfg.sh "$(GEN_CFG)" "$(KERNEL)" "$(INITRD)" "$(CMDLINE)"
endif
# With MULTIBOOT= likewise for a multiboot kernel and its modules; a module
# is FILE or FILE:ARGS (its string).
ifneq ($(MULTIBOOT),)
GEN_CFG   := $(BUILD)/multiboot-image/kestrel.cfg
CFG       := $(GEN_CFG)
MB_MODULE_FILES := $(foreach m,$(MODULES),$(firstword $(subst :, ,$(m))))
EXTRA_FILES := $(MULTIBOOT):mbkernel $(foreach f,$(MB_MODULE_FILES),$(f):$(notdir $(f)))
GEN_CMD   := scripts/multiboot-cfg.sh "$(GEN_CFG)" "$(MULTIBOOT)" "$(CMDLINE)" $(MODULES)
endif
ISO_FILES := $(BUILD)/BOOTX64.EFI:EFI/BOOT/BOOTX64.EFI $(BUILD)/kestrel.elf:kestrel.elf \
             $(if $(CFG),$(CFG):kestrel.cfg) $(EXTRA_FILES)
iso: $(ISO)
$(ISO): $(BUILD)/BOOTX64.EFI $(BUILD)/kestrel.elf scripts/mkimage.sh FORCE
	@$(if $(GEN_CMD),$(GEN_CMD))
	@if [ -n "$(CFG)" ] && [ ! -f "$(CFG)" ]; then echo "iso: CFG=$(CFG) does not exist" >&2; exit 1; fi
	scripts/mkimage.sh $@ $(ISO_FILES)
FORCE:

deps:
	@scripts/install-deps.sh

# Exit-cost benchmark in Bochs 3.0 with one CPU: prints a table, never fails on numbers.
bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/BOOTX64.EFI $(BUILD)/kestrel.elf
	@scripts/bench.sh

bochs: deps
	@scripts/build-bochs.sh >/dev/null

run: deps
ifeq ($(PAYLOAD),linux)
	@scripts/fetch-linux.sh $(BUILD)/linux
	@$(MAKE) --no-print-directory iso KERNEL=$(BUILD)/linux/vmlinuz INITRD=$(BUILD)/linux/initrd.gz \
	    CMDLINE="console=ttyS0,115200 kestrel.init=shell"
else
	@$(MAKE) --no-print-directory iso
endif
	@scripts/run.sh --iso $(ISO) --smp $(SMP) $(if $(MEM),--mem $(MEM)) $(if $(EMU),--emu $(EMU))

include tests/unit/unit.mk
include guest/selftest/selftest.mk
include guest/hostile/hostile.mk
include guest/bench/bench.mk

test: deps
	@$(MAKE) --no-print-directory iso $(BUILD)/fakeacpi.efi
	@tests/run-all.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
