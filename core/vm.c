/*
 * A guest, backend-neutral: its creation (CPU view, mediations, the
 * second-level identity map, the canary), vCPU preparation and run, how a
 * guest ends, and the exit statistics.  The backend's parts go through
 * vm->ops (core/backend.h).
 */
#include "core/vm_lifecycle.h"
#include "core/cpuid_policy.h"
#include "core/cr_rules.h"
#include "core/vm_slat.h"
#include "mm/pmm.h"
#include "drivers/lapic.h"
#include "kernel/x86.h"
#include "kernel/trap.h"
#include "kernel/percpu.h"
#include "kernel/msr.h"
#include "kernel/cpu_features.h"
#include "kernel/log.h"
#include "lib/fmt.h"


static const char *const exit_kind_names[EXIT_KIND_COUNT] = {
#define EXIT_KIND_NAME(k, name) [EXIT_KIND_##k] = #name,
    EXIT_KINDS(EXIT_KIND_NAME)
#undef EXIT_KIND_NAME
};

const char *exit_kind_name(unsigned kind)
{
    return kind < EXIT_KIND_COUNT ? exit_kind_names[kind] : "unknown";
}

uint64_t vm_canary_pattern(unsigned i)
{
    return 0x4b657374726c0000ull ^ (0x9e3779b97f4a7c15ull * (i + 1));
}

static uint64_t host_rdmsr(uint32_t msr, void *ctx)
{
    (void)ctx;
    return rdmsr(msr);
}

/* What the guest is shown of this CPU (core/cpuid_policy.c), and what it
 * may therefore enable: CR4 bits, XCR0 and IA32_XSS components.  Features
 * whose CR4 bit the backend's mode of operation does not allow are hidden
 * first, so no guest tries a CR4 write Kestrel must refuse. */
static struct cpuid_values guest_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r = cpuid(leaf, subleaf);
    struct cpuid_values v = { r.eax, r.ebx, r.ecx, r.edx };
    cpuid_policy_apply(leaf, subleaf, &v);
    return v;
}

static void guest_cpu_view(struct vm *vm)
{
    uint64_t cr4_possible = vm->ops->cr4_possible();
    cpuid_policy_init();
    cpuid_policy_hide_for_cr4(cr4_possible);
    struct cpuid_values l1 = guest_cpuid(1, 0), l7 = guest_cpuid(7, 0);
    struct cr4_cpuid f = { l1.ecx, l1.edx, l7.ebx, l7.ecx, l7.edx };
    vm->cr4_guest_allowed = cr4_guest_allowed(&f) & cr4_possible;
    struct cpuid_values d0 = guest_cpuid(0xd, 0), d1 = guest_cpuid(0xd, 1);
    vm->xcr0_allowed = d0.eax | ((uint64_t)d0.edx << 32);
    vm->xss_allowed = d1.ecx | ((uint64_t)d1.edx << 32);
}

static void intercept_port(void *ctx, uint16_t port)
{
    struct vm *vm = ctx;
    vm->ops->intercept_port(vm, port);
}

void vm_intercept_ports(struct vm *vm)
{
    port_guard_intercepts(&vm->ports, intercept_port, vm);
}

/* The MMIO pages whose writes Kestrel mediates (core/mmio_guard.c): the
 * local APIC's (the guest cannot move it: core/msr_policy.c), each I/O
 * APIC's, the ECAM pages of the functions with locked registers. */
static void guard_mmio(struct vm *vm, const struct acpi_interrupt_hw *hw)
{
    mmio_guard_add(&vm->mmio, rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK, MMIO_XAPIC, 0);
    for (unsigned i = 0; i < hw->ioapic_count; i++) {
        if (ioapic_guard_add(&vm->ioapic, hw->ioapics[i])) {
            mmio_guard_add(&vm->mmio, hw->ioapics[i], MMIO_IOAPIC, vm->ioapic.count - 1);
        }
    }
    if (hw->ecam) {
        mmio_guard_add_ecam(&vm->mmio, hw->ecam_base, hw->ecam_start_bus, hw->ecam_end_bus,
                            &vm->ports);
    }
}

static void vcpu_start_ipi(void *ctx, unsigned slot, uint8_t delivery, uint8_t vector);

/* ICR[31:0] of the NMI that makes a vCPU leave the guest (SDM 11.6.1:
 * delivery mode NMI, level assert, physical, no shorthand). */
#define VCPU_KICK_ICR ((APIC_DELIVERY_NMI << 8) | (1u << 14))

bool vm_create(struct vm *vm, const struct backend_ops *ops, const char *name,
               const struct mem_region *map, size_t count, const struct vm_setup *setup)
{
    vm->name = name;
    vm->ops = ops;
    vm->map = map;
    vm->map_count = count;
    vm->fw_acpi = setup->fw_acpi;
    vm->canary = pmm_alloc_pages(1);
    if (!vm->canary) {
        log_error("out of memory for the guest's canary page");
        return false;
    }
    for (unsigned i = 0; i < VM_CANARY_WORDS; i++) {
        ((uint64_t *)vm->canary)[i] = vm_canary_pattern(i);
    }
    guest_cpu_view(vm);
    apic_guard_init(&vm->apic, vm->apic_ids, vm->vcpu_count);
    /* Every vCPU's start-up state before any of them runs: a SIPI the
     * guest's BSP sends early is latched, never lost. */
    for (unsigned i = 0; i < sizeof(vm->vcpus) / sizeof(vm->vcpus[0]); i++) {
        if (vm->vcpus[i]) {
            ap_start_reset(&vm->vcpus[i]->ap, vm->vcpus[i]->is_bsp);
        }
    }
    vm->software_ap_start = setup->software_ap_start;
    if (vm->software_ap_start) {
        vm->apic.start_ipi = vcpu_start_ipi;
        vm->apic.start_ctx = vm;
    }
    /* I/O: the guest owns its devices; Kestrel intercepts only the ports
     * through which a guest could power off or reset the machine behind its
     * back, move the PM block, or reach Kestrel's own console
     * (core/port_io.c; vm_intercept_ports once the payload added its ACPI
     * registers). */
    port_guard_setup(&vm->ports, setup->hide_com2);
    guard_mmio(vm, setup->hw);
    return vm_build_slat(vm, setup->framebuffer_base, setup->framebuffer_size) && ops->vm_init(vm);
}

/* A mediated INIT or SIPI for the vCPU in slot (software start-up): the
 * state machine of core/ap_start.h takes it; a running AP is kicked so it
 * acts on an INIT now even if it never exits (halted, or spinning): an NMI
 * always exits, and vcpu_nmi_arrived does not queue it for the guest (a real
 * INIT discards a pending NMI too).  INIT to the guest's boot CPU would
 * reset it behind Kestrel's back: refused, as on VMX's hardware path. */
static void vcpu_start_ipi(void *ctx, unsigned slot, uint8_t delivery, uint8_t vector)
{
    struct vm *vm = ctx;
    struct vcpu *t = 0;
    for (unsigned i = 0; i < sizeof(vm->vcpus) / sizeof(vm->vcpus[0]); i++) {
        if (vm->vcpus[i] && vm->vcpus[i]->slot == slot) {
            t = vm->vcpus[i];
            break;
        }
    }
    if (!t) {
        return;
    }
    if (delivery != APIC_DELIVERY_INIT) {
        ap_start_sipi(&t->ap, vector);
        return;
    }
    if (t->is_bsp) {
        static bool reported;
        if (!reported) {
            reported = true;
            log_warn("cpu %u: guest sent INIT to its boot CPU: ignored", t->apic_id);
        }
        return;
    }
    if (ap_start_init(&t->ap)) {
        t->attention = true;
        lapic_send_ipi_raw(t->apic_id, VCPU_KICK_ICR);
    }
}

void vcpu_count_ready(struct vcpu *v)
{
    if (v->is_bsp || v->counted_ready) {
        return;
    }
    v->counted_ready = true;
    __atomic_fetch_add(&v->vm->aps_ready, 1, __ATOMIC_ACQ_REL);
}

bool vcpu_wait_for_sipi(struct vcpu *v, uint8_t *vector)
{
    /* Asleep on the start-up word where the CPU can: the sender's
     * compare-and-swap is a write to the monitored line, so a SIPI latched
     * after MONITOR wakes MWAIT or keeps it from sleeping.  (An emulator
     * runs the other CPUs faster when this one does not spin.)  A guest's
     * end arrives as an NMI, which wakes it too; should one be missed, the
     * AP runs no guest code and nobody waits for it. */
    bool sleep = (cpuid(1, 0).ecx & CPUID_1_ECX_MONITOR) != 0;
    vcpu_count_ready(v);
    for (;;) {
        if (sleep) {
            cpu_monitor(&v->ap.word);
        }
        if (ap_start_take_sipi(&v->ap, vector)) {
            break;
        }
        if (v->vm->end != GUEST_RUNNING) {
            return false;
        }
        if (sleep) {
            cpu_mwait();
        } else {
            cpu_relax();
        }
    }
    /* Nothing queued before the SIPI belongs to the code it starts. */
    vcpu_clear_events(v);
    return true;
}

void vcpu_init_reset(struct vcpu *v)
{
    /* The registers an INIT sets (SDM vol. 3A table 10-1): all zero but
     * EDX, the processor signature; RSP and the rest are the backend's. */
    for (unsigned i = 0; i < GPR_COUNT; i++) {
        v->regs[i] = 0;
    }
    v->regs[GPR_RDX] = cpuid(1, 0).eax;
    vcpu_clear_events(v);
    lapic_reset_as_init();
    apic_guard_reset_vcpu(&v->vm->apic, v->slot);
}

bool vcpu_take_virtual_init(struct vcpu *v)
{
    if (!ap_start_take_init(&v->ap)) {
        return false;
    }
    vcpu_init_reset(v);
    return true;
}

bool vcpu_prepare(struct vm *vm, struct vcpu *v, unsigned cpu_index, uint32_t apic_id, bool is_bsp,
                  const struct guest_entry *entry)
{
    v->vm = vm;
    v->cpu_index = cpu_index;
    v->apic_id = apic_id;
    v->is_bsp = is_bsp;
    v->tlb_tag = cpu_index + 1;      /* tag 0 is the host's */
    msr_shadow_init(&v->msr_shadow, cpu_phys_addr_bits(), host_rdmsr, 0);
    v->msr_shadow.xss_allowed = vm->xss_allowed;
    if (!vm->ops->vcpu_init(v, entry)) {
        return false;
    }
    if (entry) {
        v->regs[GPR_RDI] = entry->rdi;
        v->regs[GPR_RSI] = entry->rsi;
        v->regs[GPR_RAX] = entry->rax;
        v->regs[GPR_RBX] = entry->rbx;
    }
    return true;
}

/* An NMI that lands while this vCPU's CPU is in root mode (kernel/trap.c,
 * lock-free): the guest's, unless the guest is ending; queued, and delivered
 * on the way back in.  Not for an AP in wait-for-SIPI (which blocks NMIs)
 * or with a virtual INIT pending (the kick of vcpu_start_ipi; the INIT
 * discards NMIs): nothing is ever injected into a vCPU waiting for SIPI. */
static void vcpu_nmi_arrived(void *ctx)
{
    struct vcpu *v = ctx;
    if (ap_start_phase(&v->ap) != AP_PHASE_RUNNING) {
        v->attention = true;
        return;
    }
    if (v->vm->end == GUEST_RUNNING) {
        __atomic_store_n(&v->nmi_pending, true, __ATOMIC_RELEASE);
        v->attention = true;
    }
}

void vcpu_run(struct vcpu *v)
{
    struct percpu *cpu = this_cpu();
    cpu->nmi_ctx = v;
    cpu->nmi_hook = vcpu_nmi_arrived;
    v->in_guest = true;
    bool ok = v->vm->ops->vcpu_run(v);
    v->in_guest = false;
    cpu->nmi_hook = 0;
    if (!ok) {
        vm_request_end(v->vm, GUEST_FAILED, "VM entry failed");
    }
    __atomic_fetch_add(&v->vm->left, 1, __ATOMIC_ACQ_REL);
}

void vm_request_end(struct vm *vm, enum guest_end how, const char *words)
{
    int expected = GUEST_RUNNING;
    if (!__atomic_compare_exchange_n(&vm->end, &expected, (int)how, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        return;   /* it is already ending */
    }
    vm->end_how = words;
    for (unsigned i = 0; i < sizeof(vm->vcpus) / sizeof(vm->vcpus[0]); i++) {
        if (vm->vcpus[i]) {
            vm->vcpus[i]->attention = true;
        }
    }
    /* NMIs make the other vCPUs exit now (both backends intercept NMIs); a
     * vCPU waiting for its start-up IPI runs no guest code and simply stays
     * where it is. */
    trap_expect_nmis();
    lapic_send_nmi_all_but_self();
}

bool vm_guest_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t end = gpa + len;
    if (end < gpa) {
        return false;
    }
    /* Every byte must lie in usable RAM.  The regions are sorted and do not
     * overlap: find the first that ends above gpa (binary search: this
     * runs for every guest page-table read of a decoded exit), then require
     * contiguous usable coverage from there. */
    size_t lo = 0, hi = vm->map_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vm->map[mid].base + vm->map[mid].size <= gpa) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; i < vm->map_count && gpa < end; i++) {
        const struct mem_region *r = &vm->map[i];
        if (r->base > gpa || r->kind != MEM_USABLE) {
            return false;
        }
        gpa = r->base + r->size;
    }
    return gpa >= end;
}

uint32_t vm_memory_kind_at(const struct vm *vm, uint64_t gpa)
{
    for (size_t i = 0; i < vm->map_count; i++) {
        if (gpa >= vm->map[i].base && gpa - vm->map[i].base < vm->map[i].size) {
            return vm->map[i].kind;
        }
    }
    return 0;
}

uint64_t vcpu_exits_total(const struct vcpu *v)
{
    uint64_t total = 0;
    for (unsigned k = 0; k < EXIT_KIND_COUNT; k++) {
        total += v->exits[k];
    }
    return total;
}

void vm_log_exit_stats(const struct vcpu *v)
{
    char line[480];
    int n = ksnprintf(line, sizeof(line), "exits cpu%u total=%llu", v->apic_id,
                      (unsigned long long)vcpu_exits_total(v));
    for (unsigned k = 0; k < EXIT_KIND_COUNT && n < (int)sizeof(line); k++) {
        if (v->exits[k]) {
            n += ksnprintf(line + n, sizeof(line) - (unsigned)n, " %s=%llu", exit_kind_name(k),
                           (unsigned long long)v->exits[k]);
        }
    }
    log_status("%s", line);

    /* Where the time went: average host cycles per exit (dispatcher entry
     * to handler return), per kind, over the sampled exits. */
    n = ksnprintf(line, sizeof(line), "exit cycles cpu%u", v->apic_id);
    for (unsigned k = 0; k < EXIT_KIND_COUNT && n < (int)sizeof(line); k++) {
        if (v->exit_samples[k]) {
            n += ksnprintf(line + n, sizeof(line) - (unsigned)n, " %s=%llu", exit_kind_name(k),
                           (unsigned long long)(v->exit_cycles[k] / v->exit_samples[k]));
        }
    }
    log_info("%s", line);
}

void vm_log_all_exit_stats(const struct vm *vm)
{
    for (unsigned i = 0; i < sizeof(vm->vcpus) / sizeof(vm->vcpus[0]); i++) {
        if (vm->vcpus[i]) {
            vm_log_exit_stats(vm->vcpus[i]);
        }
    }
    for (unsigned i = 0; i < sizeof(vm->vcpus) / sizeof(vm->vcpus[0]); i++) {
        if (vm->vcpus[i]) {
            refusal_log_line(&vm->vcpus[i]->refusals, vm->vcpus[i]->apic_id);
        }
    }
}
