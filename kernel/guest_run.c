/*
 * The run: memory hand-over, payload, vCPUs on every CPU in VMX root, and
 * the end (status lines, exit statistics, power-off or reset).  Kestrel
 * owns the consoles before the first VM entry and after the guest stopped;
 * in between the guest owns COM1 and Kestrel's lines wait in the log history.
 */
#include "kernel/guest_run.h"
#include "kernel/x86.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/payload_loaders.h"
#include "mm/pmm.h"
#include "mm/guest_memory.h"
#include "core/vm_lifecycle.h"
#include "kernel/virt.h"
#include "drivers/timer.h"
#include "drivers/acpi.h"

#define RESERVE_PAGES      4096          /* 16 MiB kept for Kestrel after the hand-over */
#define AP_READY_US        1000000
#define LEAVE_WAIT_US      500000

enum launch_state { LAUNCH_WAIT = 0, LAUNCH_GO, LAUNCH_NEVER };

static struct vm vm;
static struct frame_pool guest_pool;
static volatile int launch = LAUNCH_WAIT;

static struct vcpu *new_vcpu(void)
{
    uint64_t pages = (sizeof(struct vcpu) + PAGE_SIZE - 1) / PAGE_SIZE;
    struct vcpu *v = (struct vcpu *)pmm_alloc_pages(pages);
    if (!v) {
        panic("out of memory for a vCPU");
    }
    return v;
}

void guest_run_ap(struct percpu *cpu)
{
    while (__atomic_load_n(&launch, __ATOMIC_ACQUIRE) == LAUNCH_WAIT) {
        cpu_relax();
    }
    struct vcpu *v = vm.vcpus[cpu->index];
    if (launch != LAUNCH_GO || !v) {
        cpu_stop();   /* no guest, or this core is held back (cpus = N) */
    }
    /* Counted ready by the backend just before it can take its start-up
     * IPI (vcpu_count_ready); one that cannot even be prepared is counted
     * here, so the guest's BSP does not wait for it. */
    if (vcpu_prepare(&vm, v, cpu->index, cpu->apic_id, false, 0)) {
        vcpu_run(v);
    } else {
        vcpu_count_ready(v);
        __atomic_fetch_add(&vm.left, 1, __ATOMIC_ACQ_REL);
    }
    cpu_stop();
}

/* CPUs outside the guest that NMIs reached during the run (the guest's IPIs
 * are mediated: none should); counted lock-free by kernel/trap.c. */
static void report_stray_nmis(void)
{
    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_table[i];
        uint32_t n = __atomic_load_n(&cpu->stray_nmis, __ATOMIC_RELAXED);
        if (n) {
            log_warn("cpu %u: %u NMI%s reached it outside the guest", cpu->apic_id, n,
                     n == 1 ? "" : "s");
        }
    }
}

/* A vCPU that still runs guest code.  One in wait-for-SIPI (never started
 * by the guest) cannot leave and need not: it executes nothing. */
static bool still_in_guest(const struct vcpu *v)
{
    return v && v->in_guest && vcpu_started(v);
}

static bool all_left(void)
{
    for (unsigned i = 0; i < sizeof(vm.vcpus) / sizeof(vm.vcpus[0]); i++) {
        if (still_in_guest(vm.vcpus[i])) {
            return false;
        }
    }
    return true;
}

__attribute__((noreturn)) static void end_run(void)
{
    uint64_t deadline = timer_deadline_us(LEAVE_WAIT_US);
    while (!all_left() && !timer_expired(deadline)) {
        cpu_relax();
    }
    log_resume_consoles();
    for (unsigned i = 0; i < sizeof(vm.vcpus) / sizeof(vm.vcpus[0]); i++) {
        if (still_in_guest(vm.vcpus[i])) {
            log_warn("cpu %u: did not leave the guest within %u ms", vm.vcpus[i]->apic_id,
                     LEAVE_WAIT_US / 1000);
        }
    }
    report_stray_nmis();
    switch (vm.end) {
    case GUEST_POWER_OFF:
        log_status("guest powered off");
        break;
    case GUEST_RESET:
        log_status("guest reset: %s", vm.end_how);
        break;
    default:
        log_error("guest %s stopped: %s", vm.name, vm.end_how ? vm.end_how : "unknown reason");
        break;
    }
    vm_log_all_exit_stats(&vm);
    /* The machine is switched off or reset from VMX root operation: leaving
     * it (VMXOFF) would deliver an INIT held pending there (INIT is blocked
     * in VMX root), such as one a guest aimed at this CPU while it ended,
     * resetting the boot CPU before the machine goes off. */
    if (vm.end == GUEST_RESET) {
        power_reset();
    }
    power_off();
}

/* How the guest's APs start (kestrel.cfg ap_start, docs/vmx.md): in the
 * CPU's wait-for-SIPI state where the backend has one, else through
 * Kestrel; `ap_start = mediated` asks for the latter, `sipi` insists on the
 * former.  False: `sipi` cannot be had (the caller stops). */
static bool choose_ap_start(const struct backend_ops *ops, const struct kestrel_config *cfg,
                            bool *software)
{
    bool hardware = ops->hardware_ap_start && ops->hardware_ap_start();
    switch (cfg->ap_start) {
    case CFG_AP_START_SIPI:
        *software = false;
        if (!hardware) {
            log_error("kestrel.cfg line %d: ap_start = sipi: %s", cfg->ap_start_line,
                      ops->hardware_ap_start ? "this CPU has no wait-for-SIPI activity state"
                                             : "SVM has no wait-for-SIPI state");
            return false;
        }
        return true;
    case CFG_AP_START_MEDIATED:
        *software = true;
        if (ops->hardware_ap_start) {
            log_info("guest ap start-up mediated: ap_start = mediated");
        }
        return true;
    case CFG_AP_START_AUTO:
    default:
        *software = !hardware;
        if (ops->hardware_ap_start && !hardware) {
            log_info("guest ap start-up mediated: this CPU has no wait-for-SIPI activity state");
        }
        return true;
    }
}

static void give_up(const char *fmt, const char *what)
{
    launch = LAUNCH_NEVER;
    log_error(fmt, what);
    power_off();
}

/* A payload that cannot be loaded: the kestrel.cfg line it is about, as the
 * loader names the line of a missing file. */
static void give_up_load(const char *payload, const struct kestrel_config *cfg,
                         const struct load_failure *f)
{
    const char *what = 0, *value = "";
    int line = 0;
    switch (f->about) {
    case LOAD_ABOUT_KERNEL:
        what = "kernel", value = cfg->kernel, line = cfg->kernel_line;
        break;
    case LOAD_ABOUT_INITRD:
        what = "initrd", value = cfg->initrd, line = cfg->initrd_line;
        break;
    case LOAD_ABOUT_MODULE:
        if (f->module < cfg->module_count) {
            what = "module", value = cfg->modules[f->module].path;
            line = cfg->modules[f->module].line;
        }
        break;
    case LOAD_ABOUT_CMDLINE:
        what = "cmdline", line = cfg->cmdline_line;
        break;
    case LOAD_ABOUT_NONE:
        break;
    case LOAD_ABOUT_BUILTIN_IMAGE:
        give_up("built-in guest cannot be loaded: %s", f->why);
        break;
    }
    launch = LAUNCH_NEVER;
    if (what && line) {
        log_error("kestrel.cfg line %d: %s %s%s%s: %s", line, payload, what, *value ? " " : "", value,
                  f->why);
    } else {
        log_error("%s: %s", payload, f->why);
    }
    power_off();
}

void guest_run_bsp(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                   struct mem_region *map, size_t *count, size_t cap)
{
    const char *payload = config_payload_name(cfg->payload);
    payload_load_fn *load = payload_loader(cfg->payload);
    struct guest_entry entry = { 0 };

    if (!load) {
        give_up("payload %s is not implemented yet", payload);
    }
    const struct virt_choice *virt = virt_choice();
    if (!virt->active(this_cpu()->index)) {
        /* The guest's BSP runs on Kestrel's BSP (the one that holds the
         * firmware's runtime services and ends the run). */
        give_up("%s", virt->bsp_missing);
    }
    /* One vCPU per CPU in VMX root; all structures before the hand-over,
     * so they stay Kestrel's (hidden). */
    struct percpu *bsp = this_cpu();
    unsigned held_back = 0;
    vm.vcpus[bsp->index] = new_vcpu();
    vm.vcpus[bsp->index]->apic_id = bsp->apic_id;
    vm.vcpus[bsp->index]->is_bsp = true;
    vm.vcpus[bsp->index]->slot = vm.vcpu_count;
    vm.apic_ids[vm.vcpu_count++] = bsp->apic_id;
    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_table[i];
        if (cpu == bsp || !(cpu->virt_ok && cpu->state == CPU_PARKED)) {
            continue;
        }
        /* cpus = N: the guest gets N vCPUs; the other cores stay in Kestrel. */
        if (cfg->cpus && vm.vcpu_count >= cfg->cpus) {
            held_back++;
            continue;
        }
        vm.vcpus[i] = new_vcpu();
        vm.vcpus[i]->apic_id = cpu->apic_id;
        vm.vcpus[i]->slot = vm.vcpu_count;
        vm.apic_ids[vm.vcpu_count++] = cpu->apic_id;
    }
    if (held_back) {
        log_status("cpus held back %u", held_back);
    }
    if (!pmm_give_to_guest(RESERVE_PAGES, &guest_pool)) {
        give_up("%s", "not enough memory to keep a reserve for Kestrel");
    }
    if (guest_memory_mark_hidden(map, count, cap, &guest_pool) != MEMMAP_OK) {
        give_up("%s", "memory map too fragmented to hide Kestrel's memory");
    }
    struct vm_setup setup = { .hide_com2 = cfg->console == CFG_CONSOLE_COM2,
                              .hw = acpi_interrupt_hw(), .fw_acpi = acpi_firmware(),
                              .framebuffer_base = bi->fb.base,
                              .framebuffer_size = bi->fb.format != BOOTINFO_FB_NONE ? bi->fb.size : 0 };
    if (!choose_ap_start(virt->ops, cfg, &setup.software_ap_start)) {
        launch = LAUNCH_NEVER;
        power_off();
    }
    if (!vm_create(&vm, virt->ops, payload, map, *count, &setup)) {
        give_up("%s", "cannot create the guest");
    }
    struct load_failure fail = { 0 };
    if (!load(bi, cfg, &vm, &guest_pool, &entry, &fail)) {
        give_up_load(payload, cfg, &fail);
    }

    vm_intercept_ports(&vm);
    launch = LAUNCH_GO;
    uint64_t deadline = timer_deadline_us(AP_READY_US);
    while (vm.aps_ready < vm.vcpu_count - 1 && !timer_expired(deadline)) {
        cpu_relax();
    }
    struct vcpu *v = vm.vcpus[bsp->index];
    if (!vcpu_prepare(&vm, v, bsp->index, bsp->apic_id, true, &entry)) {
        vm_request_end(&vm, GUEST_FAILED, "cannot prepare the boot vCPU");
        end_run();
    }
    /* Test hooks: a guest state the first entry refuses; no IDT and a RIP
     * the guest's page tables do not map (#PF cannot be delivered, nor #DF:
     * a triple fault). */
    if (cfg->crash_test == CFG_CRASH_VMENTRY) {
        vm.ops->crash_test(v, BACKEND_CRASH_BAD_ENTRY_STATE);
    }
    if (cfg->crash_test == CFG_CRASH_TRIPLE) {
        vm.ops->crash_test(v, BACKEND_CRASH_TRIPLE_FAULT);
    }
    log_status("guest %s running on %u cpus", payload, vm.vcpu_count);
    log_flush();
    log_pause_consoles();
    vcpu_run(v);
    end_run();
}
