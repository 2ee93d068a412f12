/*
 * Case 9, vmcall-cpl3: a user program inside a guest must not reach
 * Kestrel.  VMCALL with RAX = KESTREL_HC_POWER_OFF from CPL 3 must raise
 * #UD in the guest, delivered to its ring-0 handler with the saved CS at
 * RPL 3, and the machine must stay on.
 *
 * What ring 3 needs, built here and nowhere else:
 *   - a GDT with DPL-3 code and data segments and a 64-bit TSS whose RSP0
 *     takes the exception back to ring 0 (ring3.asm points it into the
 *     BSP's stack, so guest/common/cpu.c still knows the CPU);
 *   - two user pages: the code (read-only) and a stack, mapped in PML4 slot
 *     1 (the first one past Kestrel's identity map) by tables from this
 *     image's .bss with the U bit on every level.  Nothing Kestrel built is
 *     changed, and no other page becomes reachable from ring 3.
 */
#include <stddef.h>

#include "guest/common/gdt.h"
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"
#include "lib/pagetable.h"
#include "lib/pt_levels.h"

/* Selectors beyond the common GDT_CODE64 / GDT_DATA (ring3.asm repeats the
 * user ones). */
#define GDT_USER_DATA   0x18
#define GDT_USER_CODE64 0x20
#define GDT_TSS         0x28            /* a 16-byte descriptor: two slots */
#define GDT_SLOTS       7
#define RPL_MASK        3u

/* 64-bit TSS descriptor fields (SDM vol. 3A 8.2.3). */
#define TSS_TYPE_AVAILABLE64 0x9ull
#define DESC_PRESENT         (1ull << 47)

#define USER_CODE_VA  0x0000008000000000ull   /* PML4 slot 1 */
#define USER_STACK_VA (USER_CODE_VA + PAGE_SIZE_4K)
#define PAGE_BYTES    4096

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "the 64-bit TSS is 104 bytes");
_Static_assert(offsetof(struct tss64, rsp0) == 4, "ring3.asm writes RSP0 at +4");

extern const uint8_t ring3_code[], ring3_code_after_vmcall[], ring3_code_end[];
void ring3_enter(uint64_t *resume, uint64_t *resume_rsp, void *tss, uint64_t user_rip,
                 uint64_t user_rsp, uint64_t user_rax);

static struct tss64 tss __attribute__((aligned(16)));

/* Not const: LTR marks the TSS descriptor busy in the table. */
static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16))) = {
    0,
    [GDT_CODE64 / 8] = DESC_CODE64,
    [GDT_DATA / 8] = DESC_DATA,
    [GDT_USER_DATA / 8] = DESC_USER_DATA,
    [GDT_USER_CODE64 / 8] = DESC_USER_CODE64,
};

static uint64_t user_pdpt[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint64_t user_pd[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint64_t user_pt[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_BYTES)));
static uint8_t user_code_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static uint8_t user_stack_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));

void ring3_gdt_load(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    /* An I/O map base at the limit: no I/O bitmap, so with IOPL 0 every
     * port access from ring 3 faults. */
    tss.iomap_base = sizeof(tss);
    gdt[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | TSS_TYPE_AVAILABLE64 << 40 |
                       DESC_PRESENT | (limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
    gdt[GDT_TSS / 8 + 1] = base >> 32;
    gdt_load_table(gdt, sizeof(gdt));
    load_tr(GDT_TSS);
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

void case_vmcall_cpl3(struct outcome *o)
{
    const char *why = user_pages_map();
    struct fault_probe *p = this_probe();

    if (why != NULL) {
        not_refused(o, "untested: cannot map the ring-3 pages: %s", why);
        return;
    }
    probe_begin(p);
    p->insn = USER_CODE_VA;   /* the VMCALL is the first ring-3 instruction */
    ring3_enter(&p->resume, &p->resume_rsp, &tss, USER_CODE_VA, USER_STACK_VA + PAGE_BYTES,
                KESTREL_HC_POWER_OFF);
    struct fault f = probe_end(p);

    if (f.vector == VEC_GP && f.rip == USER_CODE_VA + (uint64_t)(ring3_code_after_vmcall - ring3_code)) {
        not_refused(o, "VMCALL at CPL 3 returned (the HLT after it raised #GP)");
        return;
    }
    if (!expect_refusal(o, f, VEC_UD, "VMCALL at CPL 3"))
        return;
    if ((f.cs & RPL_MASK) != 3)
        not_refused(o, "#UD reported CS 0x%lx: not raised at CPL 3", f.cs);
}
