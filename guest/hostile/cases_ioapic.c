/*
 * ioapic/<attack>: I/O APIC redirection entries that would deliver outside
 * the guest or what the guest may not send (82093AA datasheet 3.2.4; the
 * page is write-mediated by Kestrel: an IOWIN write to an entry is judged
 * with the entry's other half, reads are native):
 *   nmi-to-held-back    an unmasked NMI entry aimed at a CPU outside the guest
 *   init-to-guest       an unmasked INIT entry, even aimed at one of the guest's own vCPUs
 *   fixed-to-held-back  an unmasked fixed-vector entry aimed at a CPU outside the guest
 * Each on the chip's last pin (nothing drives it): the destination half is
 * written first while the entry is masked (accepted: masked entries always
 * are), then the low half unmasks it, which must be refused, leaving the
 * entry as it was.  The entry is restored whatever happened.
 */
#include "guest/common/boot_info.h"
#include "guest/hostile/hostile.h"

#define IOAPIC_IOREGSEL        0x00
#define IOAPIC_IOWIN           0x10
#define IOAPIC_REG_VERSION     0x01
#define IOAPIC_REG_REDIR_FIRST 0x10
#define IOAPIC_VERSION_MAX_ENTRY(v) (((v) >> 16) & 0xffu)
#define IOAPIC_MAPPED_LIMIT    (1ull << 32)     /* the guest's identity map */

#define RTE_VECTOR_TEST        0x40u
#define RTE_DELIVERY_FIXED     (0u << 8)
#define RTE_DELIVERY_NMI       (4u << 8)
#define RTE_DELIVERY_INIT      (5u << 8)
#define RTE_MASKED             (1u << 16)
#define RTE_DEST_SHIFT         24               /* in the high half: physical APIC ID */

static volatile uint32_t *ioapic_reg(uint32_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(boot_info->ioapic_base + offset);
}

static uint32_t ioapic_read(uint32_t index)
{
    *ioapic_reg(IOAPIC_IOREGSEL) = index;
    return *ioapic_reg(IOAPIC_IOWIN);
}

static void ioapic_write(uint32_t index, uint32_t value)
{
    *ioapic_reg(IOAPIC_IOREGSEL) = index;
    *ioapic_reg(IOAPIC_IOWIN) = value;
}

/* The chip's last pin, or false (outcome skipped) without an I/O APIC. */
static bool test_pin(struct outcome *o, unsigned *pin)
{
    if (boot_info->ioapic_base == 0 || boot_info->ioapic_base >= IOAPIC_MAPPED_LIMIT) {
        skipped(o, "the boot info names no I/O APIC below 4 GiB");
        return false;
    }
    *pin = IOAPIC_VERSION_MAX_ENTRY(ioapic_read(IOAPIC_REG_VERSION));
    return true;
}

/* Writes dest then low (unmasked) to the pin's entry; the low write must
 * be refused.  Restores the entry. */
static void expect_entry_refused(struct outcome *o, uint32_t dest_apic_id, uint32_t low)
{
    unsigned pin;

    if (!test_pin(o, &pin))
        return;
    uint32_t low_index = IOAPIC_REG_REDIR_FIRST + 2 * pin, high_index = low_index + 1;
    uint32_t low_before = ioapic_read(low_index), high_before = ioapic_read(high_index);
    if (!(low_before & RTE_MASKED)) {
        skipped(o, "the I/O APIC's last pin is in use (unmasked)");
        return;
    }
    ioapic_write(high_index, dest_apic_id << RTE_DEST_SHIFT);
    uint32_t high_set = ioapic_read(high_index);
    ioapic_write(low_index, low);
    uint32_t low_after = ioapic_read(low_index);

    ioapic_write(low_index, low_before);     /* masked first: the entry is never live */
    ioapic_write(high_index, high_before);
    uint32_t low_restored = ioapic_read(low_index), high_restored = ioapic_read(high_index);

    if (high_set != dest_apic_id << RTE_DEST_SHIFT)
        not_refused(o, "untested: the masked entry's destination write was not taken (pin %u "
                       "high half reads 0x%x)", pin, high_set);
    else if (low_after != low_before)
        not_refused(o, "pin %u low half reads 0x%x after the refused write (was 0x%x)", pin,
                    low_after, low_before);
    if (low_restored != low_before || high_restored != high_before)
        not_refused(o, "pin %u not restored: 0x%x:0x%x, was 0x%x:0x%x", pin, high_restored,
                    low_restored, high_before, low_before);
}

static bool held_back(struct outcome *o, uint32_t *apic_id)
{
    if (boot_info->outside_count == 0) {
        skipped(o, "no CPU is held back (run with kestrel.cfg cpus = N below the CPU count)");
        return false;
    }
    *apic_id = boot_info->outside_apic_ids[0];
    return true;
}

void case_ioapic_nmi_to_held_back(struct outcome *o)
{
    uint32_t dest;

    if (held_back(o, &dest))
        expect_entry_refused(o, dest, RTE_DELIVERY_NMI);
}

void case_ioapic_init_to_guest(struct outcome *o)
{
    struct hostile_cpu *ap = ap_helper(0, false);

    expect_entry_refused(o, ap != NULL ? ap->apic_id : cpus[0].apic_id, RTE_DELIVERY_INIT);
}

void case_ioapic_fixed_to_held_back(struct outcome *o)
{
    uint32_t dest;

    if (held_back(o, &dest))
        expect_entry_refused(o, dest, RTE_DELIVERY_FIXED | RTE_VECTOR_TEST);
}
