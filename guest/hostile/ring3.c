/*
 * Ring 3: a user program inside a guest must not reach Kestrel, and what
 * Kestrel intercepts from it must come back as the CPU would deliver it.
 *   vmcall-cpl3  VMCALL with RAX = KESTREL_HC_POWER_OFF from CPL 3 must raise #UD in the
 *                guest, delivered to its ring-0 handler with the saved CS at RPL 3, and the
 *                machine must stay on.  On AMD the hypercall is VMMCALL (VMCALL is #UD there
 *                by itself, never reaching Kestrel), so VMMCALL is the one tried.
 *   ac/cpl3      CR0.AM and RFLAGS.AC set, a misaligned load at CPL 3 raises #AC(0) in the
 *                guest (SDM vol. 3A 6.15, "Interrupt 17"): Kestrel intercepts #AC (so an #AC
 *                loop cannot hold a CPU) and must reflect it, error code and RIP intact.
 *
 * What ring 3 needs: the GDT with DPL-3 segments and a TSS whose RSP0 takes
 * the exception back to ring 0 (cpu_tables.c; ring3.asm points RSP0 into the
 * BSP's stack, so guest/common/cpu.c still knows the CPU), and two user
 * pages, built here and nowhere else: the code (read-only) and a stack,
 * mapped in PML4 slot 1 (the first one past Kestrel's identity map) by
 * tables from this image's .bss with the U bit on every level.  Nothing
 * Kestrel built is changed, and no other page becomes reachable from ring 3.
 */
#include <stddef.h>

#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/control_regs.h"
#include "kernel/x86.h"
#include "lib/pagetable.h"
#include "lib/pt_levels.h"

#define RPL_MASK      3u
#define VEC_AC        17
#define RFLAGS_AC     (1ull << 18)

#define USER_CODE_VA  0x0000008000000000ull   /* PML4 slot 1 */
#define USER_STACK_VA (USER_CODE_VA + PAGE_SIZE_4K)
#define PAGE_BYTES    4096

extern const uint8_t ring3_code[], ring3_code_after_vmcall[], ring3_vmmcall_code[],
    ring3_code_after_vmmcall[], ring3_ac_code[], ring3_ac_access[], ring3_ac_after[],
    ring3_code_end[];
void ring3_enter(uint64_t *resume, uint64_t *resume_rsp, void *tss, uint64_t user_rip,
                 uint64_t user_rsp, uint64_t user_rax);

static uint64_t user_pdpt[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint64_t user_pd[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint64_t user_pt[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint8_t user_code_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static uint8_t user_stack_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));

/* Where a label of ring3.asm's user code runs in ring 3. */
static uint64_t user_va(const uint8_t *label)
{
    return USER_CODE_VA + (uint64_t)(label - ring3_code);
}

static const char *user_pages_map(void)
{
    static bool mapped;
    uint64_t pdpt, pd, pt, code, stack;
    uint64_t pml4_pa = read_cr3() & PTE_ADDR_MASK;
    size_t code_size = (size_t)(ring3_code_end - ring3_code);
    const uint64_t table = PTE_PRESENT | PTE_WRITE | PTE_USER;

    if (mapped)
        return NULL;
    if (pml4_pa >= IDENTITY_LIMIT)
        return "PML4 above 4 GiB, out of the identity map";
    if (!virt_to_phys((uint64_t)user_pdpt, &pdpt) || !virt_to_phys((uint64_t)user_pd, &pd) ||
        !virt_to_phys((uint64_t)user_pt, &pt) || !virt_to_phys((uint64_t)user_code_page, &code) ||
        !virt_to_phys((uint64_t)user_stack_page, &stack))
        return "the image's own pages are not found in the page tables";
    uint64_t *pml4 = (uint64_t *)(uintptr_t)pml4_pa;
    unsigned slot = table_index(USER_CODE_VA, LEVEL_PML4);
    if (pml4[slot] & PTE_PRESENT)
        return "PML4 slot 1 already in use";

    __builtin_memcpy(user_code_page, ring3_code, code_size);
    user_pt[table_index(USER_CODE_VA, LEVEL_PT)] = code | PTE_PRESENT | PTE_USER;
    user_pt[table_index(USER_STACK_VA, LEVEL_PT)] = stack | PTE_PRESENT | PTE_WRITE | PTE_USER;
    user_pd[table_index(USER_CODE_VA, LEVEL_PD)] = pt | table;
    user_pdpt[table_index(USER_CODE_VA, LEVEL_PDPT)] = pd | table;
    pml4[slot] = pdpt | table;
    mapped = true;
    return NULL;
}

/* Runs ring3.asm's user code from `entry` until its first exception, which
 * comes back here; insn: where the exception is expected. */
static struct fault run_in_ring3(const uint8_t *entry, const uint8_t *insn, uint64_t rax)
{
    struct fault_probe *p = this_probe();

    probe_begin(p);
    p->insn = user_va(insn);
    ring3_enter(&p->resume, &p->resume_rsp, cpu_tss(this_cpu()->index), user_va(entry),
                USER_STACK_VA + PAGE_BYTES, rax);
    return probe_end(p);
}

void case_vmcall_cpl3(struct outcome *o)
{
    const char *why = user_pages_map();

    if (why != NULL) {
        not_refused(o, "untested: cannot map the ring-3 pages: %s", why);
        return;
    }
    /* The guest's own hypercall instruction: the one that reaches Kestrel. */
    bool vmmcall = hypercall_use_vmmcall;
    const uint8_t *insn = vmmcall ? ring3_vmmcall_code : ring3_code;
    const uint8_t *after = vmmcall ? ring3_code_after_vmmcall : ring3_code_after_vmcall;
    const char *what = vmmcall ? "VMMCALL at CPL 3" : "VMCALL at CPL 3";
    struct fault f = run_in_ring3(insn, insn, KESTREL_HC_POWER_OFF);

    if (f.vector == VEC_GP && f.rip == user_va(after)) {
        not_refused(o, "%s returned (the HLT after it raised #GP)", what);
        return;
    }
    if (!expect_refusal(o, f, VEC_UD, what))
        return;
    if ((f.cs & RPL_MASK) != 3)
        not_refused(o, "#UD reported CS 0x%lx: not raised at CPL 3", f.cs);
}

static void clear_rflags_ac(void)
{
    __asm__ volatile("pushfq\n\t"
                     "andq %0, (%%rsp)\n\t"
                     "popfq"
                     :
                     : "i"(~RFLAGS_AC)
                     : "memory", "cc");
}

void case_ac_cpl3(struct outcome *o)
{
    const char *why = user_pages_map();

    if (why != NULL) {
        not_refused(o, "untested: cannot map the ring-3 pages: %s", why);
        return;
    }
    uint64_t cr0 = read_cr0();
    write_cr0(cr0 | CR0_AM);
    struct fault f = run_in_ring3(ring3_ac_code, ring3_ac_access, 0);
    write_cr0(cr0);
    /* The exception frame was ring 3's: AC came back with it. */
    clear_rflags_ac();

    if (f.vector == VEC_GP && f.rip == user_va(ring3_ac_after)) {
        not_refused(o, "the misaligned load at CPL 3 completed without #AC (the HLT after it "
                       "raised #GP)");
        return;
    }
    if (f.vector != VEC_AC) {
        not_refused(o, "the misaligned load at CPL 3 raised %s (vector %d), expected #AC",
                    fault_name(f.vector), f.vector);
        return;
    }
    if (f.rip != f.insn)
        not_refused(o, "#AC reported at RIP 0x%lx, the load is at 0x%lx", f.rip, f.insn);
    else if (f.error != 0)
        not_refused(o, "#AC error code 0x%lx, expected 0", f.error);
    else if ((f.cs & RPL_MASK) != 3)
        not_refused(o, "#AC reported CS 0x%lx: not raised at CPL 3", f.cs);
}
