/*
 * Runs every unit-test suite.  Prints "PASS <name>" or
 * "FAIL <name>: <file>:<line>: <what>" per test, then a summary; exits
 * non-zero if anything failed.  An optional argument runs only the tests
 * whose name contains it.
 */
#include "test.h"

#include <stdarg.h>

extern const struct unit_suite kstring_suite;
extern const struct unit_suite fmt_suite;
extern const struct unit_suite config_suite;
extern const struct unit_suite payload_kinds_suite;
extern const struct unit_suite elf_suite;
extern const struct unit_suite memmap_suite;
extern const struct unit_suite bootinfo_suite;
extern const struct unit_suite pagetable_suite;
extern const struct unit_suite frames_suite;
extern const struct unit_suite psf_suite;
extern const struct unit_suite mtrr_suite;
extern const struct unit_suite slat_suite;
extern const struct unit_suite slat_reach_suite;
extern const struct unit_suite text_out_suite;
extern const struct unit_suite cpuid_policy_suite;
extern const struct unit_suite msr_policy_suite;
extern const struct unit_suite guest_state_check_suite;
extern const struct unit_suite vmx_names_suite;
extern const struct unit_suite exit_qual_suite;
extern const struct unit_suite vmx_caps_suite;
extern const struct unit_suite guest_memory_suite;
extern const struct unit_suite acpi_build_suite;
extern const struct unit_suite acpi_passthrough_suite;
extern const struct unit_suite bzimage_suite;
extern const struct unit_suite e820_suite;
extern const struct unit_suite multiboot_suite;
extern const struct unit_suite xcr0_suite;
extern const struct unit_suite cr_rules_suite;
extern const struct unit_suite apic_dest_suite;
extern const struct unit_suite guest_walk_suite;
extern const struct unit_suite insn_decode_suite;
extern const struct unit_suite port_guard_suite;
extern const struct unit_suite pci_guard_suite;
extern const struct unit_suite text_escape_suite;
extern const struct unit_suite policy_docs_suite;
extern const struct unit_suite svm_names_suite;
extern const struct unit_suite svm_caps_suite;
extern const struct unit_suite ap_start_suite;
extern const struct unit_suite vmcs_init_suite;
extern const struct unit_suite svm_bitmaps_suite;
extern const struct unit_suite insn_length_suite;

static const struct unit_suite *const suites[] = {
    &guest_memory_suite,
    &vmx_caps_suite, &ap_start_suite, &vmcs_init_suite,
    &kstring_suite, &fmt_suite,    &config_suite,    &payload_kinds_suite, &elf_suite,
    &memmap_suite,  &bootinfo_suite, &pagetable_suite,
    &frames_suite,  &psf_suite,
    &mtrr_suite, &slat_suite, &slat_reach_suite, &text_out_suite,
    &cpuid_policy_suite, &msr_policy_suite,
    &guest_state_check_suite,
    &vmx_names_suite, &exit_qual_suite,
    &acpi_build_suite,
    &acpi_passthrough_suite,
    &bzimage_suite, &e820_suite, &multiboot_suite,
    &xcr0_suite, &cr_rules_suite,
    &apic_dest_suite, &guest_walk_suite, &insn_decode_suite,
    &port_guard_suite, &pci_guard_suite,
    &text_escape_suite, &policy_docs_suite,
    &svm_names_suite, &svm_caps_suite, &svm_bitmaps_suite,
    &insn_length_suite,
};

void unit_fail(struct unit_ctx *ctx, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* The first failure is the informative one; later ones are fallout. */
    if (ctx->failed)
        return;
    ctx->failed = true;
    n = snprintf(ctx->where, sizeof(ctx->where), "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof(ctx->where))
        return;
    va_start(ap, fmt);
    vsnprintf(ctx->where + n, sizeof(ctx->where) - (size_t)n, fmt, ap);
    va_end(ap);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    unsigned passed = 0, failed = 0;

    for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
        for (size_t i = 0; i < suites[s]->count; i++) {
            const struct unit_test *t = &suites[s]->tests[i];
            struct unit_ctx ctx = { .failed = false };

            if (filter != NULL && strstr(t->name, filter) == NULL)
                continue;
            t->fn(&ctx);
            if (ctx.failed) {
                printf("FAIL %s: %s\n", t->name, ctx.where);
                failed++;
            } else {
                printf("PASS %s\n", t->name);
                passed++;
            }
            fflush(stdout);
        }
    }
    printf("unit: %u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
