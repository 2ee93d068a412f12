/*
 * VMCS set-up (SDM vol. 3C ch. 25 "VMCS", ch. 27 "VM entries" for the
 * checks each value must pass).  Host state is this CPU's own (Kestrel's GDT,
 * IDT, TSS, GS base, page tables); controls come from struct vmx_caps; the
 * guest's first state is either 64-bit (a built-in guest's BSP) or INIT
 * (every AP, waiting for the guest's own SIPI).  Every field written here
 * is recorded, and vmcs_init_verify checks the record against the list of
 * vmx/vmcs_init_list.c: each field the controls in use make the CPU read is
 * written, and no other.
 */
#include "vmx/vmcs_init.h"
#include "vmx/vmx_bits.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_root.h"
#include "vmx/vmx_names.h"
#include "vmx/vmcs_init_list.h"
#include "kernel/x86.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/log.h"
#include "mm/pmm.h"

#define RFLAGS_FIXED (1ull << 1)
#define VMCS_LINK_NONE 0xffffffffffffffffull

/* Access rights (VMCS format: type, S, DPL, P, AVL, L, D/B, G, unusable). */
#define AR_CODE64      0xa09bu   /* execute/read accessed, S, P, L, G */
#define AR_DATA        0xc093u   /* read/write accessed, S, P, D/B, G */
#define AR_CODE32      0xc09bu   /* execute/read accessed, S, P, D/B, G */
#define AR_TSS64_BUSY  0x008bu   /* type 11: also the busy 32-bit TSS outside IA-32e mode */
#define AR_LDT         0x0082u
#define AR_UNUSABLE    0x10000u
#define AR_REAL_CODE   0x009bu   /* as after INIT: accessed code, S, P */
#define AR_REAL_DATA   0x0093u

/* What this CPU's set-up wrote since vmcs_create (vmcs_init_verify). */
static struct vmcs_init_written written[KESTREL_MAX_CPUS];

static void put(uint32_t field, uint64_t value)
{
    vmcs_write_checked(field, value);
    vmcs_init_mark(&written[this_cpu()->index], field);
}

#define put16(f, v)  do { VMCS_WIDTH_IS(f, VMCS_ENC_W16); put(f, (uint16_t)(v)); } while (0)
#define put32(f, v)  do { VMCS_WIDTH_IS(f, VMCS_ENC_W32); put(f, (uint32_t)(v)); } while (0)
#define put64(f, v)  do { VMCS_WIDTH_IS(f, VMCS_ENC_W64); put(f, (uint64_t)(v)); } while (0)
#define putnat(f, v) do { VMCS_WIDTH_IS(f, VMCS_ENC_WNATURAL); put(f, (uint64_t)(v)); } while (0)

/* Segment fields sit at a fixed stride of 2 per register (appendix B). */
#define SEG_SELECTOR(s) (VMCS_GUEST_ES_SELECTOR + 2u * (s))
#define SEG_LIMIT(s)    (VMCS_GUEST_ES_LIMIT + 2u * (s))
#define SEG_AR(s)       (VMCS_GUEST_ES_ACCESS_RIGHTS + 2u * (s))
#define SEG_BASE(s)     (VMCS_GUEST_ES_BASE + 2u * (s))

void vmcs_set_segment(enum vmcs_seg s, uint16_t selector, uint64_t base, uint32_t limit,
                      uint32_t access_rights)
{
    put(SEG_SELECTOR(s), selector);
    put(SEG_BASE(s), base);
    put(SEG_LIMIT(s), limit);
    put(SEG_AR(s), access_rights);
}

static uint64_t descriptor_table_base(bool idt)
{
    struct descriptor_ptr p;
    if (idt) {
        store_idt(&p);
    } else {
        store_gdt(&p);
    }
    return p.base;
}

static void setup_host_state(void)
{
    struct percpu *cpu = this_cpu();

    putnat(VMCS_HOST_CR0, read_cr0());
    putnat(VMCS_HOST_CR3, read_cr3());
    putnat(VMCS_HOST_CR4, read_cr4());
    put16(VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CODE);
    put16(VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DATA);
    put16(VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DATA);
    put16(VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DATA);
    put16(VMCS_HOST_FS_SELECTOR, 0);
    put16(VMCS_HOST_GS_SELECTOR, 0);
    put16(VMCS_HOST_TR_SELECTOR, GDT_TSS);
    putnat(VMCS_HOST_FS_BASE, 0);
    putnat(VMCS_HOST_GS_BASE, (uint64_t)cpu);
    putnat(VMCS_HOST_TR_BASE, (uint64_t)&cpu->tss);
    putnat(VMCS_HOST_GDTR_BASE, descriptor_table_base(false));
    putnat(VMCS_HOST_IDTR_BASE, descriptor_table_base(true));
    put32(VMCS_HOST_IA32_SYSENTER_CS, 0);
    putnat(VMCS_HOST_IA32_SYSENTER_ESP, 0);
    putnat(VMCS_HOST_IA32_SYSENTER_EIP, 0);
    put64(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
    put64(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    /* HOST_RSP and HOST_RIP: written by vmx_enter on every entry. */
}

/* CR0/CR4 bits Kestrel owns: those VMX operation fixes (the guest sees its
 * own value in the read shadow, and a write that changes one exits).  With
 * unrestricted guest, PE and PG are the guest's (SDM 27.3.1.1). */
static uint64_t cr0_owned_bits(const struct vmx_caps *c)
{
    return (c->msr.cr0_fixed0 & ~(CR0_PE | CR0_PG)) | (~c->msr.cr0_fixed1 & 0xffffffffull);
}

static uint64_t cr4_owned_bits(const struct vmx_caps *c)
{
    return c->msr.cr4_fixed0 | (~c->msr.cr4_fixed1 & 0xffffffffull);
}

static void setup_controls(struct vcpu *v)
{
    const struct vmx_caps *c = vmx_caps();
    struct vm *vm = v->vm;

    put32(VMCS_CTRL_PIN_BASED, c->pin);
    put32(VMCS_CTRL_PROC_BASED, c->proc);
    put32(VMCS_CTRL_PROC_BASED2, c->proc2);
    put32(VMCS_CTRL_EXIT, c->exit);
    put32(VMCS_CTRL_ENTRY, c->entry);
    /* The guest handles its own exceptions, except the two that can repeat
     * without an instruction boundary: a #DB whose delivery hits a data
     * breakpoint, an #AC whose delivery is misaligned (CVE-2015-8104,
     * CVE-2015-5307).  Kestrel reflects them (exit_events.c), so each
     * repetition passes through root mode, where a stop request is seen. */
    put32(VMCS_CTRL_EXCEPTION_BITMAP, (1u << VEC_DEBUG) | (1u << VEC_ALIGNMENT_CHECK));
    /* Mask 0, match 0: every #PF error code "matches", so the exception
     * bitmap's #PF bit (clear) alone decides: no #PF ever exits (SDM 26.2). */
    put32(VMCS_CTRL_PF_ERROR_CODE_MASK, 0);
    put32(VMCS_CTRL_PF_ERROR_CODE_MATCH, 0);
    put32(VMCS_CTRL_CR3_TARGET_COUNT, 0);
    put32(VMCS_CTRL_EXIT_MSR_STORE_COUNT, 0);
    put32(VMCS_CTRL_EXIT_MSR_LOAD_COUNT, 0);
    put32(VMCS_CTRL_ENTRY_MSR_LOAD_COUNT, 0);
    put32(VMCS_CTRL_ENTRY_INTR_INFO, 0);
    /* vm->io_map: bitmap A (ports 0x0000-0x7fff), then B in the next page. */
    put64(VMCS_CTRL_IO_BITMAP_A, (uint64_t)vm->io_map);
    put64(VMCS_CTRL_IO_BITMAP_B, (uint64_t)vm->io_map + VMX_IO_BITMAP_SIZE);
    put64(VMCS_CTRL_MSR_BITMAP, (uint64_t)vm->msr_map);
    put64(VMCS_CTRL_EPT_POINTER, vm->slat_pointer);
    put16(VMCS_CTRL_VPID, (uint16_t)v->tlb_tag);
    put64(VMCS_CTRL_TSC_OFFSET, 0);
    putnat(VMCS_CTRL_CR0_GUEST_HOST_MASK, cr0_owned_bits(c));
    putnat(VMCS_CTRL_CR4_GUEST_HOST_MASK, cr4_owned_bits(c));
    put64(VMCS_GUEST_VMCS_LINK_POINTER, VMCS_LINK_NONE);
    /* No counting in root mode where the CPU can switch the PMU's global
     * control; the guest sees no PMU and keeps it 0 too. */
    if (c->exit & EXIT_LOAD_PERF_GLOBAL_CTRL) {
        put64(VMCS_HOST_IA32_PERF_GLOBAL_CTRL, 0);
    }
    if (c->entry & ENTRY_LOAD_PERF_GLOBAL_CTRL) {
        put64(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, 0);
    }
    /* XSAVES/XRSTORS may run natively: IA32_XSS writes are checked instead. */
    if (c->proc2 & PROC2_ENABLE_XSAVES) {
        put64(VMCS_CTRL_XSS_EXIT_BITMAP, 0);
    }
    put32(VMCS_GUEST_VMX_PREEMPTION_TIMER_VALUE, (uint32_t)vm->watchdog_value);
}

bool vmcs_create(struct vcpu *v)
{
    const struct vmx_caps *c = vmx_caps();

    v->control = pmm_alloc_pages(1);
    if (!v->control) {
        log_error("cpu %u: out of memory for a VMCS", v->apic_id);
        return false;
    }
    *(volatile uint32_t *)v->control = c->revision;
    if (vmx_clear(v->control) != VMX_SUCCEED || vmx_ptrld(v->control) != VMX_SUCCEED) {
        log_error("cpu %u: VMCLEAR/VMPTRLD of the new VMCS failed", v->apic_id);
        return false;
    }
    vmcs_access_reset();
    written[this_cpu()->index] = (struct vmcs_init_written){ { 0 }, 0 };
    setup_host_state();
    setup_controls(v);
    return !vmcs_access_failed();
}

bool vmcs_init_verify(const struct vcpu *v)
{
    const struct vmx_caps *c = vmx_caps();
    const struct vmcs_init_written *w = &written[this_cpu()->index];
    struct vmcs_gate_controls gates = { c->pin, c->proc, c->proc2, c->exit, c->entry, 0, 0 };
    bool missing = false;
    const struct vmcs_init_row *r = vmcs_init_first_wrong(w, &gates, &missing);
    if (r) {
        log_error("cpu %u: VMCS set-up and vmx/vmcs_init_list.c disagree: %s (%#x) %s", v->apic_id,
                  vmcs_field_name(r->field), r->field,
                  missing ? "is used but was not written" : "was written but is unused");
        return false;
    }
    if (w->unlisted) {
        log_error("cpu %u: VMCS set-up wrote %s (%#x), which vmx/vmcs_init_list.c does not list",
                  v->apic_id, vmcs_field_name(w->unlisted), w->unlisted);
        return false;
    }
    return true;
}

/* CR0/CR4 as the guest wants them (the read shadows) and as they must be
 * in VMX operation (the real registers). */
static void set_guest_cr0_cr4(uint64_t cr0, uint64_t cr4)
{
    const struct vmx_caps *c = vmx_caps();
    uint64_t owned0 = cr0_owned_bits(c), owned4 = cr4_owned_bits(c);

    putnat(VMCS_CTRL_CR0_READ_SHADOW, cr0);
    putnat(VMCS_CTRL_CR4_READ_SHADOW, cr4);
    putnat(VMCS_GUEST_CR0, (cr0 & ~owned0) | (c->msr.cr0_fixed0 & owned0));
    putnat(VMCS_GUEST_CR4, (cr4 & ~owned4) | (c->msr.cr4_fixed0 & owned4));
}

static void clear_common_guest_state(void)
{
    putnat(VMCS_GUEST_DR7, 0x400);
    put64(VMCS_GUEST_IA32_DEBUGCTL, 0);
    put32(VMCS_GUEST_IA32_SYSENTER_CS, 0);
    putnat(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
    putnat(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
    /* The power-on PAT (SDM 13.12.4). */
    put64(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull);
    put32(VMCS_GUEST_INTERRUPTIBILITY, 0);
    putnat(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
    /* Nothing injected; the error code and instruction length go with an
     * injection and are written with it (vmx/exit_*.c). */
    put32(VMCS_CTRL_ENTRY_INTR_INFO, 0);
    put32(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, 0);
    put32(VMCS_CTRL_ENTRY_INSTRUCTION_LEN, 0);
    /* VM entry loads the PDPTEs from here only for PAE paging outside
     * IA-32e mode with EPT (SDM 27.3.2.4): no start state is that (paging
     * off, or IA-32e), so 0; when the guest enables PAE paging itself the
     * CPU loads its own, and VM exits save them here. */
    put64(VMCS_GUEST_PDPTE0, 0);
    put64(VMCS_GUEST_PDPTE1, 0);
    put64(VMCS_GUEST_PDPTE2, 0);
    put64(VMCS_GUEST_PDPTE3, 0);
}

void vmcs_guest_long_mode(const struct guest_entry *e)
{
    const struct vmx_caps *c = vmx_caps();
    /* Flat segments either way; what differs is paging, EFER and the code
     * segment: 64-bit with e->cr3, or 32-bit protected mode with paging off,
     * which is what multiboot promises a kernel (e->mode32; its GDTR "may be
     * invalid": the kernel loads its own). */
    bool lm = !e->mode32;
    uint16_t cs = e->cs ? e->cs : 0x08, ds = e->ds ? e->ds : 0x10;

    clear_common_guest_state();
    if (lm) {
        set_guest_cr0_cr4(CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG, CR4_PAE);
        putnat(VMCS_GUEST_CR3, e->cr3);
        put64(VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA | (rdmsr(MSR_IA32_EFER) & EFER_NXE));
    } else {
        set_guest_cr0_cr4(CR0_PE | CR0_ET, 0);
        putnat(VMCS_GUEST_CR3, 0);
        put64(VMCS_GUEST_IA32_EFER, 0);
    }
    vmcs_set_segment(SEG_CS, cs, 0, 0xffffffff, lm ? AR_CODE64 : AR_CODE32);
    vmcs_set_segment(SEG_SS, ds, 0, 0xffffffff, AR_DATA);
    vmcs_set_segment(SEG_DS, ds, 0, 0xffffffff, AR_DATA);
    vmcs_set_segment(SEG_ES, ds, 0, 0xffffffff, AR_DATA);
    vmcs_set_segment(SEG_FS, ds, 0, 0xffffffff, AR_DATA);
    vmcs_set_segment(SEG_GS, ds, 0, 0xffffffff, AR_DATA);
    vmcs_set_segment(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
    vmcs_set_segment(SEG_TR, 0, 0, 0x67, AR_TSS64_BUSY);
    putnat(VMCS_GUEST_GDTR_BASE, e->gdtr_base);
    put32(VMCS_GUEST_GDTR_LIMIT, e->gdtr_limit);
    putnat(VMCS_GUEST_IDTR_BASE, 0);
    put32(VMCS_GUEST_IDTR_LIMIT, 0);
    putnat(VMCS_GUEST_RIP, e->rip);
    putnat(VMCS_GUEST_RSP, e->rsp);
    putnat(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
    put32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_STATE_ACTIVE);
    put32(VMCS_CTRL_ENTRY, lm ? c->entry | ENTRY_IA32E_MODE_GUEST : c->entry);
}

/* The register state INIT leaves (SDM vol. 3A table 10-1), apart from
 * CS:IP, which the SIPI sets. */
static void init_state(void)
{
    const struct vmx_caps *c = vmx_caps();

    clear_common_guest_state();
    set_guest_cr0_cr4(CR0_ET | CR0_CD | CR0_NW, 0);
    putnat(VMCS_GUEST_CR3, 0);
    put64(VMCS_GUEST_IA32_EFER, 0);
    vmcs_set_segment(SEG_CS, 0xf000, 0xffff0000, 0xffff, AR_REAL_CODE);
    vmcs_set_segment(SEG_SS, 0, 0, 0xffff, AR_REAL_DATA);
    vmcs_set_segment(SEG_DS, 0, 0, 0xffff, AR_REAL_DATA);
    vmcs_set_segment(SEG_ES, 0, 0, 0xffff, AR_REAL_DATA);
    vmcs_set_segment(SEG_FS, 0, 0, 0xffff, AR_REAL_DATA);
    vmcs_set_segment(SEG_GS, 0, 0, 0xffff, AR_REAL_DATA);
    vmcs_set_segment(SEG_LDTR, 0, 0, 0xffff, AR_LDT);
    vmcs_set_segment(SEG_TR, 0, 0, 0xffff, AR_TSS64_BUSY);
    putnat(VMCS_GUEST_GDTR_BASE, 0);
    put32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
    putnat(VMCS_GUEST_IDTR_BASE, 0);
    put32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
    putnat(VMCS_GUEST_RIP, 0xfff0);
    putnat(VMCS_GUEST_RSP, 0);
    putnat(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
    put32(VMCS_CTRL_ENTRY, c->entry);   /* not IA-32e mode */
}

void vmcs_guest_wait_for_sipi(void)
{
    init_state();
    put32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_STATE_WAIT_FOR_SIPI);
}

void vmcs_guest_init_state(void)
{
    init_state();
    put32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_STATE_ACTIVE);
}

void vmcs_guest_start_at_sipi(uint8_t vector)
{
    vmcs_set_segment(SEG_CS, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff, AR_REAL_CODE);
    putnat(VMCS_GUEST_RIP, 0);
    put32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_STATE_ACTIVE);
    put32(VMCS_CTRL_ENTRY_INTR_INFO, 0);      /* nothing from before the SIPI */
}
