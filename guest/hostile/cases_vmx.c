/*
 * vmx-instructions/<insn> (per vCPU): the guest was told there is no VMX
 * (CPUID.1:ECX.VMX clear), so every VMX instruction must be an invalid
 * opcode to it.  In VMX non-root operation each of them exits to Kestrel
 * unconditionally (SDM vol. 3C, "Instructions That Cause VM Exits
 * Unconditionally"; VMCS shadowing is off), and Kestrel answers with #UD.
 * Memory operands are valid guest memory, so nothing but that answer
 * decides the outcome.
 */
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"

#define VMCS_FIELD_GUEST_RIP 0x681eull   /* any field: a VMREAD/VMWRITE operand */
#define INVEPT_SINGLE_CONTEXT  1ull
#define INVVPID_SINGLE_CONTEXT 1ull

/* A VMXON region / VMCS pointer operand (a physical address in memory)
 * and an INVEPT/INVVPID descriptor (128 bits). */
static uint64_t region_pa;
static struct { uint64_t low, high; } descriptor __attribute__((aligned(16)));

/* Instructions without operands. */
#define PROBE_BARE(p, insn, tmp)                                              \
    do {                                                                      \
        probe_begin(p);                                                       \
        __asm__ volatile(PROBE_ARM insn PROBE_DONE                            \
                         : PROBE_OUTPUTS(p, tmp) : : "memory", "cc");         \
    } while (0)

static struct fault probe_region(struct fault_probe *p, bool load)
{
    uint64_t tmp;

    probe_begin(p);
    if (load)
        __asm__ volatile(PROBE_ARM "vmptrld %[region]" PROBE_DONE
                         : PROBE_OUTPUTS(p, tmp) : [region] "m"(region_pa) : "memory", "cc");
    else
        __asm__ volatile(PROBE_ARM "vmclear %[region]" PROBE_DONE
                         : PROBE_OUTPUTS(p, tmp) : [region] "m"(region_pa) : "memory", "cc");
    return probe_end(p);
}

void case_vmxon(struct outcome *o)
{
    expect_refusal(o, probe_vmxon(this_probe(), &region_pa), VEC_UD, "VMXON");
}

void case_vmclear(struct outcome *o)
{
    expect_refusal(o, probe_region(this_probe(), false), VEC_UD, "VMCLEAR");
}

void case_vmptrld(struct outcome *o)
{
    expect_refusal(o, probe_region(this_probe(), true), VEC_UD, "VMPTRLD");
}

void case_vmread(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t value = 0, tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "vmread %[field], %[value]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), [value] "+r"(value)
                     : [field] "r"(VMCS_FIELD_GUEST_RIP)
                     : "memory", "cc");
    if (expect_refusal(o, probe_end(p), VEC_UD, "VMREAD") && value != 0)
        not_refused(o, "VMREAD raised #UD but wrote 0x%lx", value);
}

void case_vmwrite(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "vmwrite %[value], %[field]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [field] "r"(VMCS_FIELD_GUEST_RIP), [value] "r"(0ull)
                     : "memory", "cc");
    expect_refusal(o, probe_end(p), VEC_UD, "VMWRITE");
}

void case_vmlaunch(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    PROBE_BARE(p, "vmlaunch", tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMLAUNCH");
}

void case_vmresume(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    PROBE_BARE(p, "vmresume", tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMRESUME");
}

void case_vmxoff(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    PROBE_BARE(p, "vmxoff", tmp);
    expect_refusal(o, probe_end(p), VEC_UD, "VMXOFF");
}

void case_invept(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "invept %[desc], %[type]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [desc] "m"(descriptor), [type] "r"(INVEPT_SINGLE_CONTEXT)
                     : "memory", "cc");
    expect_refusal(o, probe_end(p), VEC_UD, "INVEPT");
}

void case_invvpid(struct outcome *o)
{
    struct fault_probe *p = this_probe();
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "invvpid %[desc], %[type]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [desc] "m"(descriptor), [type] "r"(INVVPID_SINGLE_CONTEXT)
                     : "memory", "cc");
    expect_refusal(o, probe_end(p), VEC_UD, "INVVPID");
}
