/*
 * The VMX backend's ops (core/backend.h): the guest's VMX structures (MSR
 * and I/O bitmaps, EPT pointer, watchdog), the VMCS of each vCPU, the run,
 * and the exit-time accessors the core's handlers use.
 */
#include "vmx/vmx_backend.h"
#include "vmx/exit.h"
#include "vmx/vmx_entry.h"
#include "vmx/entry_failure.h"
#include "vmx/vmcs_init.h"
#include "vmx/vmx_root.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_bits.h"
#include "core/insn_decode.h"
#include "mm/pmm.h"
#include "drivers/timer.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/log.h"

#define WATCHDOG_TICK_HZ 100   /* preemption-timer period: 10 ms of guest run time */
#define CODE_BITS_16 16
#define CODE_BITS_32 32
#define CODE_BITS_64 64

static unsigned vmx_slat_allow(void)
{
    const struct vmx_caps *caps = vmx_caps();
    return SLAT_ALLOW_2M | (caps->ept_1g_pages ? SLAT_ALLOW_1G : 0) |
           (caps->ept_5level ? SLAT_ALLOW_5LEVEL : 0);
}

static uint64_t vmx_cr4_possible(void)
{
    return vmx_caps()->msr.cr4_fixed1;
}

static bool vmx_vm_init(struct vm *vm)
{
    const struct vmx_caps *caps = vmx_caps();

    vm->msr_map = (uint8_t *)pmm_alloc_pages(1);
    vm->io_map = (uint8_t *)pmm_alloc_pages(2);      /* bitmaps A and B */
    if (!vm->msr_map || !vm->io_map) {
        log_error("out of memory for the guest's bitmaps");
        return false;
    }
    msr_bitmap_build(vm->msr_map);
    vm->slat_pointer = ((uint64_t)(uintptr_t)vm->slat.root & VMX_EPTP_ADDR_MASK) |
                       VMX_EPTP_MEMTYPE_WB | VMX_EPTP_WALK_LENGTH(vm->slat.levels);
    /* A stale translation of the same EPTP from an earlier boot stage cannot
     * exist, but INVEPT is cheap and makes the start state certain. */
    vmx_invept(INVEPT_ALL_CONTEXT, 0);

    uint64_t ticks = timer_tsc_hz() / WATCHDOG_TICK_HZ >> caps->preemption_timer_shift;
    vm->watchdog_value = ticks > 0xffffffffull ? 0xffffffffull : ticks;
    log_info("guest %s: watchdog tick %llu", vm->name, (unsigned long long)vm->watchdog_value);
    return true;
}

/* Bitmap A covers ports 0x0000-0x7fff, B (the next page) 0x8000-0xffff:
 * together one bit per port, in port order. */
static void vmx_intercept_port(struct vm *vm, uint16_t port)
{
    vm->io_map[port / 8] |= (uint8_t)(1u << (port % 8));
}

static bool vmx_vcpu_init(struct vcpu *v, const struct guest_entry *entry)
{
    if (!vmcs_create(v)) {
        return false;
    }
    vmcs_access_reset();
    if (entry) {
        vmcs_guest_long_mode(entry);
    } else if (v->vm->software_ap_start) {
        vmcs_guest_init_state();
    } else {
        vmcs_guest_wait_for_sipi();
    }
    vmx_invvpid(INVVPID_SINGLE_CONTEXT, (uint16_t)v->tlb_tag, 0);
    return !vmcs_access_failed() && vmcs_init_verify(v);
}

/* The run.  An AP whose start-up is software's waits for its SIPI in
 * Kestrel (core/vm.c) before its first entry, and again after each virtual
 * INIT (the dispatcher leaves the guest for it); one whose start-up is the
 * hardware's enters at once, in wait-for-SIPI, and is counted ready just
 * before: a SIPI that reached it in VMX root would be lost. */
static bool vmx_vcpu_run(struct vcpu *v)
{
    for (;;) {
        if (!vcpu_started(v)) {
            if (!v->vm->software_ap_start) {
                vcpu_count_ready(v);
            } else {
                uint8_t vector;
                if (!vcpu_wait_for_sipi(v, &vector)) {
                    return true;
                }
                vmcs_guest_start_at_sipi(vector);
            }
        }
        int r = vmx_enter(v, v->launched);
        if (r == VMX_ENTER_LEFT_GUEST) {
            v->launched = true;
            if (v->vm->end == GUEST_RUNNING && v->vm->software_ap_start && !vcpu_started(v)) {
                continue;        /* a virtual INIT: wait for the SIPI */
            }
            return true;
        }
        v->launched = vcpu_exits_total(v) > 0;
        entry_instruction_failure_report(v, r);
        return false;
    }
}

static bool vmx_hardware_ap_start(void)
{
    return vmx_caps()->wait_for_sipi;
}

static void vmx_crash_test(struct vcpu *v, enum backend_crash how)
{
    (void)v;
    if (how == BACKEND_CRASH_BAD_ENTRY_STATE) {
        log_info("crash_test: guest RFLAGS made invalid before the first VM entry");
        vmcs_writenat(VMCS_GUEST_RFLAGS, 0);      /* bit 1 must be set */
    } else {
        log_info("crash_test: the guest will triple-fault on its first instruction");
        vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0);
        vmcs_writenat(VMCS_GUEST_RIP, 0x00007ff000000000ull);
    }
}

static void vmx_skip_instruction(struct vcpu *v)
{
    (void)v;
    exit_skip_instruction();
}

static void vmx_advance_rip(struct vcpu *v, unsigned len)
{
    (void)v;
    exit_advance_rip(len);
}

static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    (void)v;
    exit_inject_exception(vector, has_error, error);
}

static unsigned code_bits(uint32_t cs_ar, uint64_t efer)
{
    if ((efer & EFER_LMA) && (cs_ar & VMX_AR_L)) {
        return CODE_BITS_64;
    }
    /* Real mode: unrestricted guest keeps 16-bit segments (D = 0). */
    return (cs_ar & VMX_AR_DB) ? CODE_BITS_32 : CODE_BITS_16;
}

static void vmx_read_view(struct vcpu *v, struct guest_view *out)
{
    (void)v;
    uint32_t cs_ar = vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS);
    uint32_t ss_ar = vmcs_read32(VMCS_GUEST_SS_ACCESS_RIGHTS);
    out->paging.cr0 = vmcs_readnat(VMCS_GUEST_CR0);
    out->paging.cr3 = vmcs_readnat(VMCS_GUEST_CR3);
    out->paging.cr4 = vmcs_readnat(VMCS_GUEST_CR4);
    out->paging.efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
    out->rip = vmcs_readnat(VMCS_GUEST_RIP);
    out->rsp = vmcs_readnat(VMCS_GUEST_RSP);
    out->rflags = vmcs_readnat(VMCS_GUEST_RFLAGS);
    out->cs_base = vmcs_readnat(VMCS_GUEST_CS_BASE);
    out->cpl = (ss_ar & VMX_AR_DPL_MASK) >> VMX_AR_DPL_SHIFT;
    out->code_bits = code_bits(cs_ar, out->paging.efer);
}

static uint64_t vmx_segment_base(struct vcpu *v, unsigned seg)
{
    (void)v;
    /* The segment fields sit at a stride of 2 (appendix B), in the order
     * of enum insn_segment (ES, CS, SS, DS, FS, GS). */
    return vmcs_read_checked(VMCS_GUEST_ES_BASE + 2u * (seg % 6u));
}

/* The guest copies of the MSRs the VMCS switches and the policy intercepts
 * anyway (MSR_READ/WRITE_GUEST_STATE): IA32_DEBUGCTL, loaded on entry by the
 * "load debug controls" control. */
static bool vmx_guest_msr(struct vcpu *v, uint32_t msr, uint64_t *value, bool write)
{
    (void)v;
    if (msr != MSR_IA32_DEBUGCTL) {
        return false;
    }
    if (write) {
        vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, *value);
    } else {
        *value = vmcs_read64(VMCS_GUEST_IA32_DEBUGCTL);
    }
    return true;
}

static bool vmx_delivering_event(struct vcpu *v)
{
    (void)v;
    return (vmcs_read32(VMCS_RO_IDT_VECTORING_INFO) & INTR_INFO_VALID) != 0;
}

const struct backend_ops vmx_backend = {
    .name = "vmx",
    .slat_format = SLAT_FORMAT_EPT,
    .msr_backend = MSR_BACKEND_VMX,
    .hardware_ap_start = vmx_hardware_ap_start,
    .slat_allow = vmx_slat_allow,
    .cr4_possible = vmx_cr4_possible,
    .vm_init = vmx_vm_init,
    .intercept_port = vmx_intercept_port,
    .vcpu_init = vmx_vcpu_init,
    .vcpu_run = vmx_vcpu_run,
    .crash_test = vmx_crash_test,
    .skip_instruction = vmx_skip_instruction,
    .advance_rip = vmx_advance_rip,
    .inject_exception = vmx_inject_exception,
    .read_view = vmx_read_view,
    .segment_base = vmx_segment_base,
    .guest_msr = vmx_guest_msr,
    .delivering_event = vmx_delivering_event,
    .dump_state = exit_dump_vmcs,
};
