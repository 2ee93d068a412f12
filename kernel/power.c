/*
 * Power off and reset through UEFI's runtime ResetSystem (the kernel keeps
 * the firmware's physical mapping: SetVirtualAddressMap is never called, and
 * all physical memory is identity-mapped).  If the firmware call returns,
 * the emulators' exit ports are tried, then the CPU halts with a message.
 */
#include "kernel/power.h"
#include "kernel/x86.h"
#include "kernel/log.h"

enum efi_reset_type {
    EFI_RESET_COLD = 0,
    EFI_RESET_WARM = 1,
    EFI_RESET_SHUTDOWN = 2,
};

typedef void (__attribute__((ms_abi)) *efi_reset_system_fn)(uint32_t type, uint64_t status,
                                                             uint64_t data_size, void *data);

/* EFI_RUNTIME_SERVICES: a 24-byte table header, then function pointers;
 * ResetSystem is the eleventh (UEFI spec 2.x, 4.5). */
#define EFI_RT_HEADER_SIZE      24
#define EFI_RT_RESET_SYSTEM_IDX 10
#define EFI_RT_SIGNATURE        0x56524553544e5552ull   /* "RUNTSERV" */

#define QEMU_DEBUG_EXIT_PORT 0xf4    /* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT  0x8900

static efi_reset_system_fn reset_system;

void power_init(const struct kestrel_bootinfo *bi)
{
    const uint64_t *rt = (const uint64_t *)bi->efi_runtime_services;
    if (!rt || rt[0] != EFI_RT_SIGNATURE) {
        log_warn("no usable UEFI runtime services: power-off falls back to emulator ports");
        return;
    }
    reset_system = (efi_reset_system_fn)rt[EFI_RT_HEADER_SIZE / 8 + EFI_RT_RESET_SYSTEM_IDX];
}

static void emulator_exit(void)
{
    static const char shutdown[] = "Shutdown";
    for (const char *s = shutdown; *s; s++) {
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    }
    /* QEMU exits with status (v << 1) | 1; 0x10 → 33 marks "Kestrel ended". */
    outb(QEMU_DEBUG_EXIT_PORT, 0x10);
}

void power_off(void)
{
    irq_disable();
    log_flush();
    if (reset_system) {
        reset_system(EFI_RESET_SHUTDOWN, 0, 0, 0);
    }
    emulator_exit();
    log_error("power-off failed: the machine can be switched off now");
    cpu_stop();
}

void power_reset(void)
{
    irq_disable();
    log_flush();
    if (reset_system) {
        reset_system(EFI_RESET_COLD, 0, 0, 0);
    }
    /* Keyboard-controller reset: the oldest path every PC understands. */
    outb(0x64, 0xfe);
    log_error("reset failed: reset the machine by hand");
    cpu_stop();
}
