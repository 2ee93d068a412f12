/*
 * svm/<case> (per vCPU, AMD only): the guest was told there is no SVM
 * (CPUID 0x80000001:ECX.SVM clear), so it must not be able to run a
 * hypervisor of its own or touch the host's SVM state.  The guest VMCB's
 * EFER has SVME set (VMRUN requires it, APM vol. 2 15.5.1), so without
 * Kestrel's intercepts the SVM instructions would execute for real; Kestrel
 * intercepts each and answers #UD, as a CPU with EFER.SVME clear does:
 *   vmrun, vmload, vmsave, skinit   RAX = a page of this image (a real VMCB or SLB address)
 *   stgi, clgi                      no operand
 *   invlpga                         RAX = 0, ECX = ASID 0 (the host's ASID)
 * and the state around them (APM vol. 2 15.30):
 *   efer-svme         EFER reads SVME (bit 12) clear; its value written back succeeds, with
 *                     SVME set #GP(0), and EFER reads as before
 *   vm-cr             VM_CR (0xC0010114) reads SVMDIS (bit 4) and LOCK (bit 3) set, as a
 *                     firmware that disabled SVM leaves it; a write clearing them #GP(0)
 *   vm-hsave-pa       VM_HSAVE_PA (0xC0010117) read and write #GP(0)
 *   cpuid-hidden      CPUID 0x80000001:ECX.SVM clear, leaf 0x8000000A all zeros
 *   vmmcall-unknown   VMMCALL, Kestrel's hypercall on AMD, with an unassigned function
 *                     returns ~0 (KESTREL_HC_RESULT_UNKNOWN) and raises nothing
 * On an Intel CPU these instructions are #UD and these MSRs #GP without Kestrel doing
 * anything, which would prove nothing: cases_table.c leaves the cases out there (no line,
 * not counted), and one named by hostile_case reports itself skipped.
 */
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/msr.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#define EFER_SVME             (1ull << 12)
#define MSR_AMD_VM_CR         0xc0010114u
#define VM_CR_LOCK            (1ull << 3)
#define VM_CR_SVMDIS          (1ull << 4)
#define MSR_AMD_VM_HSAVE_PA   0xc0010117u
#define CPUID_AMD_EXT_FEATURES 0x80000001u
#define CPUID_AMD_EXT_ECX_SVM  (1u << 2)
#define CPUID_AMD_SVM          0x8000000au
#define HC_UNASSIGNED         0x4b455354ull   /* "TSEK", as unknown-vmcall (cases_calls.c) */
#define PAGE_BYTES            4096
#define WHAT_SIZE             48

/* The operand of VMRUN/VMLOAD/VMSAVE/SKINIT: a page of this image, so
 * that an instruction Kestrel failed to intercept hits only the guest's
 * own memory, and a fault can only be Kestrel's #UD (not a #GP for a bad
 * address). */
static uint8_t svm_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));

/* False, with the outcome skipped, on a CPU where the case proves nothing. */
static bool amd_only(struct outcome *o)
{
    if (cpu_is_amd())
        return true;
    skipped(o, "not an AMD CPU: SVM instructions and MSRs fault there without Kestrel");
    return false;
}

/* The page's guest-physical address; false (outcome set) if not found. */
static bool page_pa(struct outcome *o, uint64_t *pa)
{
    if (virt_to_phys((uint64_t)svm_page, pa))
        return true;
    not_refused(o, "untested: the image's own page is not found in the page tables");
    return false;
}

/* One SVM instruction with RAX = rax and ECX = ecx (those that take no
 * operand ignore them). */
#define PROBE_SVM(p, insn, rax, ecx, tmp)                                       \
    do {                                                                        \
        probe_begin(p);                                                         \
        __asm__ volatile(PROBE_ARM insn PROBE_DONE                              \
                         : PROBE_OUTPUTS(p, tmp)                                \
                         : "a"(rax), "c"(ecx)                                   \
                         : "memory", "cc");                                     \
    } while (0)

/* ---- the instructions ---------------------------------------------------- */

void case_svm_vmrun(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t pa, tmp;

    if (!amd_only(o) || !page_pa(o, &pa))
        return;
    PROBE_SVM(p, "vmrun %%rax", pa, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMRUN");
}

void case_svm_vmload(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t pa, tmp;

    if (!amd_only(o) || !page_pa(o, &pa))
        return;
    PROBE_SVM(p, "vmload %%rax", pa, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMLOAD");
}

void case_svm_vmsave(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t pa, tmp;

    if (!amd_only(o) || !page_pa(o, &pa))
        return;
    PROBE_SVM(p, "vmsave %%rax", pa, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMSAVE");
}

void case_svm_stgi(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    if (!amd_only(o))
        return;
    PROBE_SVM(p, "stgi", 0ull, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "STGI");
}

void case_svm_clgi(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    if (!amd_only(o))
        return;
    PROBE_SVM(p, "clgi", 0ull, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "CLGI");
}

void case_svm_skinit(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t pa, tmp;

    if (!amd_only(o) || !page_pa(o, &pa))
        return;
    /* SKINIT takes the secure loader block's address in EAX only. */
    PROBE_SVM(p, "skinit %%eax", pa, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "SKINIT");
}

void case_svm_invlpga(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    if (!amd_only(o))
        return;
    /* ASID 0 is the host's: the guest flushing Kestrel's TLB entries. */
    PROBE_SVM(p, "invlpga %%rax, %%ecx", 0ull, 0u, tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "INVLPGA");
}

/* ---- the MSRs -------------------------------------------------------------- */

/* RDMSR of msr that must succeed; false (outcome set) if it faulted. */
static bool read_ok(struct outcome *o, uint32_t msr, const char *name, uint64_t *value)
{
    struct fault f = probe_rdmsr(this_probe(), msr, value);

    if (f.vector == FAULT_NONE)
        return true;
    not_refused(o, "untested: RDMSR %s raised %s (vector %d)", name, fault_name(f.vector),
                f.vector);
    return false;
}

void case_svm_efer_svme(struct outcome *o)
{
    uint64_t before, after;
    struct fault f;

    if (!amd_only(o) || !read_ok(o, MSR_IA32_EFER, "EFER", &before))
        return;
    if (before & EFER_SVME) {
        not_refused(o, "EFER reads 0x%lx: SVME (bit 12) set", before);
        return;
    }
    /* The control: a Kestrel refusing every EFER write would pass the
     * attack for nothing (and the guest must be able to set NXE, SCE). */
    f = probe_wrmsr(this_probe(), MSR_IA32_EFER, before);
    if (f.vector != FAULT_NONE) {
        not_refused(o, "writing EFER's value 0x%lx back raised %s", before, fault_name(f.vector));
        return;
    }
    uint64_t attempt = before | EFER_SVME;
    struct fault w = probe_wrmsr(this_probe(), MSR_IA32_EFER, attempt);
    f = probe_rdmsr(this_probe(), MSR_IA32_EFER, &after);
    if (w.vector == FAULT_NONE)
        probe_wrmsr(this_probe(), MSR_IA32_EFER, before);   /* accepted: put it back */
    if (f.vector == FAULT_NONE && after != before) {
        not_refused(o, "EFER reads 0x%lx after WRMSR 0x%lx, was 0x%lx", after, attempt, before);
        return;
    }
    char what[WHAT_SIZE];
    ksnprintf(what, sizeof(what), "WRMSR EFER = 0x%lx", attempt);
    expect_refusal(o, w, VEC_GP, what);
}

void case_svm_vm_cr(struct outcome *o)
{
    const uint64_t disabled = VM_CR_SVMDIS | VM_CR_LOCK;
    uint64_t before, after;

    if (!amd_only(o) || !read_ok(o, MSR_AMD_VM_CR, "VM_CR", &before))
        return;
    if ((before & disabled) != disabled) {
        not_refused(o, "VM_CR reads 0x%lx: SVMDIS (bit 4) and LOCK (bit 3) must be set", before);
        return;
    }
    /* What a guest hypervisor would do to get SVM back: clear both. */
    uint64_t attempt = before & ~disabled;
    struct fault w = probe_wrmsr(this_probe(), MSR_AMD_VM_CR, attempt);
    struct fault f = probe_rdmsr(this_probe(), MSR_AMD_VM_CR, &after);
    if (f.vector == FAULT_NONE && after != before) {
        not_refused(o, "VM_CR reads 0x%lx after WRMSR 0x%lx, was 0x%lx", after, attempt, before);
        return;
    }
    char what[WHAT_SIZE];
    ksnprintf(what, sizeof(what), "WRMSR VM_CR = 0x%lx", attempt);
    expect_refusal(o, w, VEC_GP, what);
}

void case_svm_vm_hsave_pa(struct outcome *o)
{
    uint64_t value = 0, pa;

    if (!amd_only(o) || !page_pa(o, &pa))
        return;
    struct fault f = probe_rdmsr(this_probe(), MSR_AMD_VM_HSAVE_PA, &value);
    if (f.vector == FAULT_NONE) {
        not_refused(o, "RDMSR VM_HSAVE_PA returned 0x%lx, expected #GP", value);
        return;
    }
    if (!expect_refusal(o, f, VEC_GP, "RDMSR VM_HSAVE_PA"))
        return;
    /* Pointing the host save area at guest memory: the next #VMEXIT would
     * load Kestrel's state from there. */
    char what[WHAT_SIZE];
    ksnprintf(what, sizeof(what), "WRMSR VM_HSAVE_PA = 0x%lx", pa);
    expect_refusal(o, probe_wrmsr(this_probe(), MSR_AMD_VM_HSAVE_PA, pa), VEC_GP, what);
}

/* ---- CPUID and the hypercall -------------------------------------------------- */

void case_svm_cpuid_hidden(struct outcome *o)
{
    if (!amd_only(o))
        return;
    struct cpuid_regs ext = cpuid(CPUID_AMD_EXT_FEATURES, 0);
    if (ext.ecx & CPUID_AMD_EXT_ECX_SVM) {
        not_refused(o, "CPUID 0x80000001 ECX = 0x%x: SVM (bit 2) set", ext.ecx);
        return;
    }
    struct cpuid_regs svm = cpuid(CPUID_AMD_SVM, 0);
    if (svm.eax | svm.ebx | svm.ecx | svm.edx)
        not_refused(o, "CPUID 0x8000000A = %x %x %x %x, expected all zeros", svm.eax, svm.ebx,
                    svm.ecx, svm.edx);
}

void case_svm_vmmcall_unknown(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t rax = HC_UNASSIGNED, rbx = 0, rcx = 0, rdx = 0, tmp;

    if (!amd_only(o))
        return;
    /* VMMCALL itself, not kestrel_hypercall(): this case must not depend
     * on the guest's choice of instruction being right. */
    probe_begin(p);
    __asm__ volatile(PROBE_ARM "vmmcall" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)
                     :
                     : "memory", "cc");
    struct fault f = probe_end(p);
    if (f.vector != FAULT_NONE) {
        not_refused(o, "VMMCALL 0x%llx raised %s (vector %d): not Kestrel's hypercall",
                    HC_UNASSIGNED, fault_name(f.vector), f.vector);
        return;
    }
    if (rax != KESTREL_HC_RESULT_UNKNOWN)
        not_refused(o, "VMMCALL 0x%llx returned 0x%lx, expected ~0", HC_UNASSIGNED, rax);
}
