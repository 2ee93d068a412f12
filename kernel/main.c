/*
 * Kestrel kernel: the boot flow after the loader, top to bottom.
 * serial → boot-info check → config → memory → CPU tables → paging →
 * timer, LAPIC → APs → VMX or SVM on every CPU → the guest → end.
 */
#include "bootinfo.h"
#include "lib/bootinfo_check.h"
#include "lib/config.h"
#include "lib/memmap.h"
#include "lib/kstring.h"
#include "kernel/x86.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/smp.h"
#include "kernel/power.h"
#include "mm/pmm.h"
#include "mm/paging.h"
#include "drivers/serial.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "drivers/acpi.h"
#include "drivers/fbcon.h"
#include "kernel/virt.h"
#include "kernel/guest_run.h"

#define KESTREL_VERSION "0.1"
#define MAP_CAPACITY 512

static struct mem_region memory_map[MAP_CAPACITY];
static size_t memory_map_count;
static struct kestrel_config config;
static volatile unsigned aps_done;

/* The loader validated kestrel.cfg already; parsing it again here cannot
 * fail unless memory was corrupted, which is then worth stopping for (the
 * caller does, once a console is up). */
static bool load_config(const struct kestrel_bootinfo *bi, struct cfg_error *err)
{
    config_defaults(&config);
    for (uint32_t i = 0; i < bi->file_count; i++) {
        const struct bootinfo_file *f = &bi->files[i];
        if (f->role != BOOTINFO_FILE_CONFIG) {
            continue;
        }
        if (!config_parse((const char *)f->addr, f->size, &config, err)) {
            return false;
        }
    }
    return true;
}

/* Kestrel's serial console: COM1, or COM2 with `console = com2` (a channel
 * the guest cannot write: the guest owns COM1).  Everything logged before
 * is replayed to it. */
static void start_console(enum cfg_console want)
{
    if (want == CFG_CONSOLE_COM2) {
        if (serial_init(COM2_PORT)) {
            return;
        }
        serial_init(COM1_PORT);
        log_warn("console = com2: no UART answers at %#x; Kestrel's lines stay on COM1",
                 COM2_PORT);
        config.console = CFG_CONSOLE_COM1;
        return;
    }
    serial_init(COM1_PORT);
}

static void load_memory_map(const struct kestrel_bootinfo *bi)
{
    enum memmap_status st = memmap_from_efi((const void *)bi->mmap_addr, bi->mmap_size,
                                            bi->mmap_desc_size, memory_map, MAP_CAPACITY,
                                            &memory_map_count);
    if (st != MEMMAP_OK) {
        panic("firmware memory map unusable: %s", memmap_status_name(st));
    }
    log_info("memory: %llu MiB usable, %zu regions, top %#llx",
             (unsigned long long)(memmap_total(memory_map, memory_map_count, MEM_USABLE) >> 20),
             memory_map_count, (unsigned long long)memmap_top(memory_map, memory_map_count));
}

static struct percpu *find_bsp(void)
{
    for (unsigned i = 0; i < percpu_count; i++) {
        if (percpu_table[i]->is_bsp) {
            return percpu_table[i];
        }
    }
    return percpu_table[0];
}

static unsigned first_ap_index(void)
{
    for (unsigned i = 0; i < percpu_count; i++) {
        if (!percpu_table[i]->is_bsp) {
            return i;
        }
    }
    return 0;
}

static void enable_virt_here(struct percpu *cpu)
{
    cpu->virt_ok = virt_choice()->enable(cpu->index, &cpu->virt_reason);
}

/* crash_test (kestrel.cfg): a deliberate invalid opcode, so tests can prove
 * that an exception is reported once and stops every CPU. */
static void crash_test_point(enum cfg_crash_test where, struct percpu *cpu)
{
    if (config.crash_test != where) {
        return;
    }
    if (where == CFG_CRASH_AP && cpu->index != first_ap_index()) {
        return;
    }
    log_info("crash_test: invalid opcode on cpu %u", cpu->apic_id);
    __asm__ volatile("ud2");
}

void ap_main(struct percpu *cpu)
{
    crash_test_point(CFG_CRASH_AP, cpu);
    enable_virt_here(cpu);
    __atomic_store_n(&cpu->state, CPU_PARKED, __ATOMIC_RELEASE);
    __atomic_fetch_add(&aps_done, 1, __ATOMIC_ACQ_REL);
    if (cpu->virt_ok) {
        guest_run_ap(cpu);
    }
    cpu_stop();
}

static void wait_for_aps(unsigned expected)
{
    uint64_t deadline = timer_deadline_us(2000000);
    while (__atomic_load_n(&aps_done, __ATOMIC_ACQUIRE) < expected && !timer_expired(deadline)) {
        cpu_relax();
    }
}

/* The VMX or SVM summary.  Without a single capable CPU there is nothing
 * to do: one line says why.  Otherwise each CPU that failed is named, then
 * the count. */
static unsigned report_virt(unsigned online)
{
    const struct virt_choice *virt = virt_choice();
    unsigned in_root = 0;
    struct percpu *bsp = find_bsp();
    const char *reason = bsp->virt_ok ? NULL : bsp->virt_reason;

    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_table[i];
        if (cpu->state != CPU_PARKED && cpu != bsp) {
            continue;
        }
        if (cpu->virt_ok) {
            in_root++;
        } else if (!reason) {
            reason = cpu->virt_reason;
        }
    }
    if (in_root == 0) {
        log_status("%s unavailable: %s", virt->name, reason);
        return 0;
    }
    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_table[i];
        if ((cpu->state == CPU_PARKED || cpu == bsp) && !cpu->virt_ok) {
            log_warn("cpu %u: %s: %s", cpu->apic_id, virt->name, cpu->virt_reason);
        }
    }
    log_status("%s %u/%u cpus", virt->on_words, in_root, online);
    return in_root;
}

void kmain(struct kestrel_bootinfo *bi)
{
    const char *why;
    struct cfg_error cfg_err;

    /* kestrel.cfg says which console to use, so the boot info and the
     * config are read before the first line (which waits in the history
     * until a console is there). */
    bool bi_ok = bootinfo_validate(bi, &why) == 0;
    bool cfg_ok = bi_ok && load_config(bi, &cfg_err);
    start_console(cfg_ok ? config.console : CFG_CONSOLE_COM1);
    log_raw("\n");
    log_info("kernel %s", KESTREL_VERSION);
    if (!bi_ok) {
        /* Nothing in it can be trusted, not even the runtime services. */
        log_error("boot-info rejected: %s", why);
        cpu_stop();
    }
    log_info("boot-info v%u from loader %s", bi->version, bi->loader_version);
    if (!cfg_ok) {
        panic("kestrel.cfg line %d: %s", cfg_err.line, cfg_err.msg);
    }
    log_set_level((enum log_level)config.loglevel);
    load_memory_map(bi);
    pmm_init(bi, memory_map, memory_map_count);
    percpu_init_all(bi);
    idt_init();
    struct percpu *bsp = find_bsp();
    percpu_load(bsp);
    paging_init(bi, memory_map, memory_map_count);
    fbcon_init(bi);
    power_init(bi);

    timer_init();
    uint32_t max_apic_id = 0;
    for (uint32_t i = 0; i < bi->cpu_count; i++) {
        max_apic_id = bi->cpus[i].apic_id > max_apic_id ? bi->cpus[i].apic_id : max_apic_id;
    }
    lapic_init_bsp(max_apic_id);
    bsp->state = CPU_ONLINE;
    log_info("tsc %llu MHz (%s), lapic %s, bsp apic id %u", (unsigned long long)(timer_tsc_hz() / 1000000),
             timer_source(), lapic_is_x2apic() ? "x2apic" : "xapic", lapic_id());
    if (lapic_id() != bsp->apic_id) {
        log_warn("boot CPU has APIC ID %u, firmware said %u", lapic_id(), bsp->apic_id);
    }
    acpi_survey_firmware(bi);

    /* Before the APs start: each AP enables VMX or SVM as soon as it is up,
     * against the capabilities the BSP read. */
    const char *caps_reason;
    bool caps_ok = virt_choice()->caps_init(&caps_reason);

    unsigned online = smp_start_aps(bi);
    log_status("cpus online %u/%u", online, bi->cpu_count);
    crash_test_point(CFG_CRASH_BSP, bsp);

    if (caps_ok) {
        enable_virt_here(bsp);
    } else {
        bsp->virt_ok = false;
        bsp->virt_reason = caps_reason;
    }
    wait_for_aps(online - 1);
    if (report_virt(online)) {
        guest_run_bsp(bi, &config, memory_map, &memory_map_count, MAP_CAPACITY);
    }
    power_off();
}
