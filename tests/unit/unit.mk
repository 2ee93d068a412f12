# Host unit tests for the shared pure-C library (lib/*.c), built with the
# host compiler under AddressSanitizer and UBSan.  Included by the top-level
# Makefile; every variable is prefixed UNIT_ to stay out of its way.
#
#   make unit-build    build build/host/unit_tests
#   make unit-tests    build and run it (non-zero exit if any test fails)
#   build/host/unit_tests fmt_    run only the tests whose name contains "fmt_"

UNIT_CC      ?= cc
UNIT_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -I. -Iinclude -Itests/unit
UNIT_LDFLAGS := -fsanitize=address,undefined
UNIT_OUT     := build/host

# lib/ files that touch hardware or kernel-only state and cannot run on the
# host; add them here.
UNIT_LIB_EXCLUDE ?=

UNIT_LIB_SRCS  := $(filter-out $(UNIT_LIB_EXCLUDE),$(wildcard lib/*.c))
# Pure (hardware-free) kernel files outside lib/ that the host tests cover.
# They must compile on the host as they are: no inline asm, no kernel headers
# that wrap instructions.
UNIT_PURE_SRCS := mm/frames.c vmx/caps.c mm/guest_memory.c
UNIT_PURE_SRCS += mm/mtrr.c mm/slat.c mm/slat_reach.c
UNIT_PURE_SRCS += core/cpuid_policy.c core/msr_policy.c core/cr_rules.c core/xcr0.c
UNIT_PURE_SRCS += core/apic_dest.c core/guest_walk.c core/insn_decode.c
UNIT_PURE_SRCS += core/port_guard.c core/pci_guard.c core/ap_start.c
UNIT_PURE_SRCS += vmx/vmx_names.c vmx/exit_qual.c
UNIT_PURE_SRCS += vmx/guest_state_check.c vmx/vmcs_init_list.c
UNIT_PURE_SRCS += svm/svm_names.c svm/svm_caps.c svm/svm_bitmaps.c core/insn_length.c
UNIT_PURE_SRCS += guest/linux/bzimage.c guest/linux/e820.c guest/multiboot/multiboot_parse.c guest/multiboot/multiboot_info.c
UNIT_TEST_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS      := $(patsubst %.c,$(UNIT_OUT)/%.o,$(UNIT_LIB_SRCS) $(UNIT_PURE_SRCS) $(UNIT_TEST_SRCS))
UNIT_BIN       := $(UNIT_OUT)/unit_tests

.PHONY: unit-build unit-tests

unit-build: $(UNIT_BIN)

unit-tests: $(UNIT_BIN)
	UBSAN_OPTIONS=print_stacktrace=1 ./$(UNIT_BIN)

$(UNIT_BIN): $(UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_LDFLAGS) -o $@ $(UNIT_OBJS)

# A static pattern rule, so it always wins over the top-level Makefile's
# generic %.o rules for these objects.
$(UNIT_OBJS): $(UNIT_OUT)/%.o: %.c tests/unit/unit.mk
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

-include $(UNIT_OBJS:.o=.d)
