/*
 * AP start-up: copy the trampoline below 1 MiB, then for each AP fill in its
 * parameters and send INIT, SIPI, SIPI (SDM vol. 3A 9.4.4.1).  One AP at a
 * time, because all of them share the trampoline's parameter block.
 */
#include "kernel/smp.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/kstring.h"

#define TRAMPOLINE_MAGIC   0x4b415054u
#define INIT_DELAY_US      10000      /* INIT → first SIPI */
#define SIPI_DELAY_US      200        /* between the two SIPIs */
#define AP_ANSWER_US       500000     /* an AP slower than this is declared dead */

struct __attribute__((packed)) trampoline_params {
    uint32_t magic;
    uint32_t cr3;
    uint64_t stack;
    uint64_t entry;
    uint64_t percpu;
    uint32_t efer;
    uint32_t reserved;
};
#define TRAMPOLINE_PARAMS_OFFSET 8

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

__attribute__((noreturn)) static void ap_entry(struct percpu *cpu)
{
    percpu_load(cpu);
    write_cr0(read_cr0() | (1ull << 16));   /* WP, as on the BSP */
    lapic_init_ap();
    if (lapic_id() != cpu->apic_id) {
        log_warn("cpu %u: started as APIC ID %u", cpu->apic_id, lapic_id());
    }
    __atomic_store_n(&cpu->state, CPU_ONLINE, __ATOMIC_RELEASE);
    ap_main(cpu);
}

static bool wait_online(struct percpu *cpu, uint64_t us)
{
    uint64_t deadline = timer_deadline_us(us);
    /* ONLINE or beyond: a fast AP may already have finished its work and
     * parked by the time this CPU looks. */
    while (__atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE) < CPU_ONLINE) {
        if (timer_expired(deadline)) {
            return false;
        }
        cpu_relax();
    }
    return true;
}

static bool start_one(struct percpu *cpu, struct trampoline_params *params, uint8_t vector)
{
    params->stack = cpu->stack_top;
    params->percpu = (uint64_t)cpu;
    cpu->state = CPU_STARTING;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    if (!lapic_send_init(cpu->apic_id)) {
        return false;
    }
    udelay(INIT_DELAY_US);
    lapic_send_sipi(cpu->apic_id, vector);
    udelay(SIPI_DELAY_US);
    if (!wait_online(cpu, SIPI_DELAY_US)) {
        /* A second SIPI, as the SDM's sequence has it; ignored by a CPU that
         * already left wait-for-SIPI. */
        lapic_send_sipi(cpu->apic_id, vector);
    }
    if (wait_online(cpu, AP_ANSWER_US)) {
        return true;
    }
    /* Put a late starter back into wait-for-SIPI, so it cannot wake up
     * later on the next AP's stack. */
    lapic_send_init(cpu->apic_id);
    cpu->state = CPU_OFFLINE;
    return false;
}

unsigned smp_start_aps(const struct kestrel_bootinfo *bi)
{
    unsigned online = 1;   /* the BSP */
    uint64_t size = (uint64_t)(trampoline_blob_end - trampoline_blob);

    if (percpu_count <= 1) {
        return online;
    }
    if (!bi->trampoline_phys) {
        log_warn("no AP start-up page below 1 MiB: application processors stay off");
        return online;
    }
    if (paging_root() >= (1ull << 32) || size > PAGE_SIZE) {
        log_error("AP start-up impossible (page-table root above 4 GiB or trampoline too big)");
        return online;
    }
    uint8_t *page = (uint8_t *)bi->trampoline_phys;
    __builtin_memcpy(page, trampoline_blob, size);
    struct trampoline_params *params = (void *)(page + TRAMPOLINE_PARAMS_OFFSET);
    if (params->magic != TRAMPOLINE_MAGIC) {
        log_error("AP trampoline parameter block mismatch: application processors stay off");
        return online;
    }
    params->cr3 = (uint32_t)paging_root();
    params->entry = (uint64_t)ap_entry;
    params->efer = paging_has_nx() ? (uint32_t)EFER_NXE : 0;
    uint8_t vector = (uint8_t)(bi->trampoline_phys >> 12);

    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_table[i];
        if (cpu->is_bsp) {
            continue;
        }
        if (!(bi->cpus[i].flags & BOOTINFO_CPU_ENABLED)) {
            log_warn("cpu %u: disabled by firmware, not started", cpu->apic_id);
            continue;
        }
        if (start_one(cpu, params, vector)) {
            online++;
        } else {
            log_warn("cpu %u: did not answer INIT-SIPI-SIPI within %u ms; going on without it",
                     cpu->apic_id, AP_ANSWER_US / 1000);
        }
    }
    return online;
}
