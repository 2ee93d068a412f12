/*
 * Starting the APs (see smp.h).
 */
#include "guest/common/boot_info.h"
#include "guest/common/cpu.h"
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "guest/common/smp.h"
#include "guest/common/tsc.h"
#include "kernel/msr.h"
#include "kernel/x86.h"

#define INIT_TO_SIPI_US   10000
#define SIPI_TO_SIPI_US   200
#define AP_ARRIVAL_US     1000000ull
#define START_PAGE_LIMIT  0x100000ull          /* real mode reaches only the first MiB */
#define PAGE_SIZE         4096ull
#define CR3_LIMIT         (1ull << 32)         /* the trampoline loads CR3 in 32-bit mode */

/* The trampoline's parameter block: layout of kernel/trampoline.asm. */
#define TRAMPOLINE_MAGIC          0x4b415054u  /* "TPAK" */
#define TRAMPOLINE_PARAMS_OFFSET  8

struct trampoline_params {
    uint32_t magic;
    uint32_t cr3;
    uint64_t stack;
    uint64_t entry;
    uint64_t arg;          /* RDI at the entry */
    uint32_t efer;         /* EFER bits to set besides LME */
    uint32_t reserved;
} __attribute__((packed));

extern const uint8_t trampoline_blob[], trampoline_blob_end[];   /* kernel/trampoline_blob.asm */
extern void smp_ap_entry(void);                                  /* ap_entry.asm */

/* ap_entry.asm jumps through it. */
smp_ap_main_fn smp_ap_main;

static struct trampoline_params *params;
static uint8_t sipi_vector;

const char *smp_prepare(smp_ap_main_fn ap_main)
{
    uint64_t page = boot_info->ap_start_page;
    uint64_t size = (uint64_t)(trampoline_blob_end - trampoline_blob);
    uint64_t cr3 = read_cr3();

    if (page == 0 || page >= START_PAGE_LIMIT || (page & (PAGE_SIZE - 1)) != 0)
        return "the boot info's AP start-up page is not a 4 KiB page below 1 MiB";
    if (size > PAGE_SIZE)
        return "the AP trampoline is larger than a page";
    /* The APs run on the BSP's page tables: Kestrel's identity map covers
     * the start-up page (paging goes on while executing there) and the
     * image.  Building a second set would test nothing more. */
    if (cr3 >= CR3_LIMIT)
        return "CR3 is above 4 GiB, out of the trampoline's reach";

    uint8_t *dst = (uint8_t *)(uintptr_t)page;
    __builtin_memcpy(dst, trampoline_blob, size);
    params = (struct trampoline_params *)(dst + TRAMPOLINE_PARAMS_OFFSET);
    if (params->magic != TRAMPOLINE_MAGIC)
        return "the AP trampoline's parameter block is not where this guest expects it";
    smp_ap_main = ap_main;
    params->cr3 = (uint32_t)cr3;
    params->entry = (uint64_t)smp_ap_entry;
    /* The guest's tables may use NX bits, reserved without EFER.NXE. */
    params->efer = (uint32_t)(rdmsr(MSR_IA32_EFER) & EFER_NXE);
    sipi_vector = (uint8_t)(page >> 12);
    return NULL;
}

static bool wait_arrival(const uint32_t *state, uint64_t deadline)
{
    /* ONLINE or later: a fast AP may be further already. */
    while (__atomic_load_n(state, __ATOMIC_ACQUIRE) < AP_ONLINE) {
        if (tsc_expired(deadline))
            return false;
        cpu_relax();
    }
    return true;
}

bool smp_start_ap(unsigned index, uint32_t apic_id, void *arg, uint32_t *state)
{
    uint64_t stack_top = cpu_ap_stack_top(index);

    if (params == NULL || stack_top == 0) {
        say("cpu %u not started: %s", apic_id,
            params == NULL ? "smp_prepare() did not succeed" : "no AP stack for its index");
        return false;
    }
    params->stack = stack_top;
    params->arg = (uint64_t)arg;
    /* Sequentially consistent: the parameters are visible before the IPI
     * (a WRMSR to the x2APIC ICR is not serializing). */
    __atomic_store_n(state, AP_STARTING, __ATOMIC_SEQ_CST);

    if (!lapic_send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT)) {
        say("cpu %u not started: the LAPIC did not accept the INIT IPI", apic_id);
        __atomic_store_n(state, AP_OFF, __ATOMIC_SEQ_CST);
        return false;
    }
    tsc_delay_us(INIT_TO_SIPI_US);
    uint64_t deadline = tsc_deadline_us(AP_ARRIVAL_US);
    lapic_send_ipi(apic_id, ICR_DELIVERY_STARTUP | sipi_vector);
    tsc_delay_us(SIPI_TO_SIPI_US);
    if (__atomic_load_n(state, __ATOMIC_ACQUIRE) < AP_ONLINE)
        lapic_send_ipi(apic_id, ICR_DELIVERY_STARTUP | sipi_vector);
    if (wait_arrival(state, deadline))
        return true;
    say("cpu %u did not start: no answer to INIT-SIPI-SIPI within %llu ms", apic_id,
        AP_ARRIVAL_US / 1000);
    /* Back to wait-for-SIPI: a late AP must not run later on the next
     * AP's parameters. */
    lapic_send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
    __atomic_store_n(state, AP_OFF, __ATOMIC_SEQ_CST);
    return false;
}
