/*
 * The PCI-configuration guard (see pci_guard.h).  Sources:
 *  - PCI Local Bus Specification 3.0, 3.2.2.3.2 "Configuration Mechanism
 *    #1": CONFIG_ADDRESS bit 31 enable, 23:16 bus, 15:11 device, 10:8
 *    function, 7:2 register; the byte lane comes from the data port.
 *  - AMD BIOS and Kernel Developer's Guide, family 10h and later, "IO Cf8":
 *    bits 27:24 ExtRegNo (offset 11:8) with MSRC001_001F[EnableCf8ExtCfg].
 *  - PCI Express Base Specification, 7.2.2 "PCI Express Enhanced
 *    Configuration Access Mechanism (ECAM)": address bits 27:20 bus, 19:15
 *    device, 14:12 function, 11:0 offset.
 *  - Intel 82371AB PIIX4 datasheet (290562), function 3: PMBA (40-43h, base
 *    bits 15:6, bit 0 reads 1), PMREGMISC (80h, bit 0 PMIOSE), PMCNTRL at
 *    PMBA + 04h; class code 068000h, device ID 7113h.
 *  - Intel ICH9 datasheet (316972), D31:F0: PMBASE (40-43h, bits 15:7),
 *    ACPI_CNTL (44h, bit 7 ACPI_EN), PM1_CNT at PMBASE + 04h, class 0601h.
 *    ICH6/7/8/10 (301473, 307013, 313056, 319973) have the same registers
 *    at the same offsets; the LPC device IDs are those of their datasheets
 *    (as Linux's lpc_ich lists them).
 *  - Intel 3 Series Chipset (82G33, 8086:29C0; 316966), D0:F0 PCIEXBAR
 *    (60-67h): bit 0 enable, bits 2:1 length, the base above.  QEMU's q35
 *    machine models this MCH with an ICH9 (8086:2918).
 */
#include "core/pci_guard.h"

#define BYTE_BITS                   8
#define BYTE_MASK                   0xffu
#define DWORD_BYTES                 4
#define DWORD_LANE_MASK             3u
#define REG_WIDTH_MAX               8
#define PM_BASE_REG_WIDTH           4           /* PMBA, PMBASE: dwords */
#define PM_ENABLE_REG_WIDTH         1           /* PMREGMISC, ACPI_CNTL: bytes */

/* CONFIG_ADDRESS fields. */
#define CF8_ENABLE                  (1u << 31)
#define CF8_EXT_REG_SHIFT           24          /* AMD: bits 27:24 */
#define CF8_EXT_REG_MASK            0xfu
#define CF8_BUS_SHIFT               16
#define CF8_DEV_SHIFT               11
#define CF8_FN_SHIFT                8
#define CF8_REG_MASK                0xfcu
#define EXT_REG_OFFSET_SHIFT        8           /* ExtRegNo -> offset 11:8 */

/* ECAM / linear configuration addresses: bus 27:20, dev 19:15, fn 14:12. */
#define ECAM_BUS_SHIFT              20
#define ECAM_DEV_SHIFT              15
#define ECAM_FN_SHIFT               12
#define ECAM_BUS_MASK               0xffu
#define ECAM_DEV_MASK               0x1fu
#define ECAM_FN_MASK                0x7u
#define ECAM_OFFSET_MASK            0xfffu
#define LINEAR_CONFIG_LAST          0x0fffffffu /* bus 255, dev 31, fn 7, offset 4095 */

/* ID and class dwords. */
#define PCI_ID_VENDOR_MASK          0xffffu
#define PCI_ID_DEVICE_SHIFT         16
#define PCI_CLASS_SHIFT             16          /* base class 31:24, subclass 23:16 */
#define PCI_VENDOR_INTEL            0x8086u
#define PCI_CLASS_HOST_BRIDGE       0x0600u
#define PCI_CLASS_ISA_BRIDGE        0x0601u
#define PCI_CLASS_OTHER_BRIDGE      0x0680u

#define PIIX4_PM_DEVICE_ID          0x7113u
#define Q35_MCH_DEVICE_ID           0x29c0u

static const char *const malformed_write = "malformed configuration write";
static const char *const unnamed_register = "locked configuration register";

/* ---- decoding --------------------------------------------------------------- */

bool pci_cf8_target(uint32_t config_address, uint16_t data_port, bool amd_extended,
                    struct pci_addr *out)
{
    uint16_t offset;

    if (out == NULL || (config_address & CF8_ENABLE) == 0 ||
        data_port < PCI_CONFIG_DATA_PORT || data_port > PCI_CONFIG_DATA_PORT_LAST)
        return false;
    offset = (uint16_t)((config_address & CF8_REG_MASK) | (data_port & DWORD_LANE_MASK));
    if (amd_extended)
        offset |= (uint16_t)(((config_address >> CF8_EXT_REG_SHIFT) & CF8_EXT_REG_MASK)
                             << EXT_REG_OFFSET_SHIFT);
    out->bus = (uint8_t)((config_address >> CF8_BUS_SHIFT) & ECAM_BUS_MASK);
    out->dev = (uint8_t)((config_address >> CF8_DEV_SHIFT) & ECAM_DEV_MASK);
    out->fn = (uint8_t)((config_address >> CF8_FN_SHIFT) & ECAM_FN_MASK);
    out->offset = offset;
    return true;
}

bool pci_ecam_target(uint64_t ecam_base, uint8_t start_bus, uint8_t end_bus, uint64_t gpa,
                     struct pci_addr *out)
{
    uint64_t rel, bus;

    if (out == NULL || gpa < ecam_base || start_bus > end_bus)
        return false;
    rel = gpa - ecam_base;
    bus = rel >> ECAM_BUS_SHIFT;
    if (bus < start_bus || bus > end_bus)
        return false;
    out->bus = (uint8_t)bus;
    out->dev = (uint8_t)((rel >> ECAM_DEV_SHIFT) & ECAM_DEV_MASK);
    out->fn = (uint8_t)((rel >> ECAM_FN_SHIFT) & ECAM_FN_MASK);
    out->offset = (uint16_t)(rel & ECAM_OFFSET_MASK);
    return true;
}

/* ---- locked registers ------------------------------------------------------- */

/* One number per configuration byte of the whole bus tree, ECAM's layout:
 * a write's byte i is at linear + i, even when it runs into the next
 * function's space. */
static uint32_t linear_config(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t offset)
{
    return ((uint32_t)bus << ECAM_BUS_SHIFT) |
           ((uint32_t)(dev & ECAM_DEV_MASK) << ECAM_DEV_SHIFT) |
           ((uint32_t)(fn & ECAM_FN_MASK) << ECAM_FN_SHIFT) | (offset & ECAM_OFFSET_MASK);
}

static bool reg_valid(const struct pci_locked_reg *r)
{
    return r->dev <= PCI_DEV_MAX && r->fn <= PCI_FN_MAX && r->offset < PCI_CONFIG_SPACE_SIZE;
}

/* The locked bits of register r in configuration byte `at`; 0 if r does not
 * hold that byte.  Widths above 8 count as 8 (the mask has 8 bytes). */
static uint8_t locked_bits_at(const struct pci_locked_reg *r, uint32_t at)
{
    uint32_t start, lane;

    if (!reg_valid(r))
        return 0;
    start = linear_config(r->bus, r->dev, r->fn, r->offset);
    if (at < start)
        return 0;
    lane = at - start;
    if (lane >= r->width || lane >= REG_WIDTH_MAX)
        return 0;
    return (uint8_t)((r->locked >> (lane * BYTE_BITS)) & BYTE_MASK);
}

/* The first register whose locked bits in byte `at` the write changes.
 * old_known false: the byte's value before the write is unknown, so any
 * locked bit there counts as changed. */
static const char *byte_problem(const struct pci_locked_reg *regs, size_t count, uint32_t at,
                                uint8_t new_value, uint8_t old_value, bool old_known)
{
    for (size_t i = 0; i < count; i++) {
        uint8_t locked = locked_bits_at(&regs[i], at);

        if (locked == 0)
            continue;
        if (!old_known || ((new_value ^ old_value) & locked) != 0)
            return regs[i].what != NULL ? regs[i].what : unnamed_register;
    }
    return NULL;
}

static bool config_size_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4;
}

const char *pci_config_write_problem(const struct pci_locked_reg *regs, size_t count,
                                     struct pci_addr a, unsigned size, uint32_t value,
                                     uint32_t current)
{
    unsigned lane0 = a.offset & DWORD_LANE_MASK;
    uint32_t first;

    if (!config_size_valid(size) || a.dev > PCI_DEV_MAX || a.fn > PCI_FN_MAX ||
        a.offset >= PCI_CONFIG_SPACE_SIZE)
        return malformed_write;
    if (regs == NULL)
        return NULL;
    first = linear_config(a.bus, a.dev, a.fn, a.offset);
    for (unsigned i = 0; i < size; i++) {
        uint32_t at = first + i;
        unsigned lane = lane0 + i;
        bool old_known = lane < DWORD_BYTES;
        uint8_t new_value = (uint8_t)((value >> (i * BYTE_BITS)) & BYTE_MASK);
        uint8_t old_value = 0;
        const char *what;

        if (at > LINEAR_CONFIG_LAST)
            break;                      /* past bus 255: no configuration byte */
        if (old_known)
            old_value = (uint8_t)((current >> (lane * BYTE_BITS)) & BYTE_MASK);
        what = byte_problem(regs, count, at, new_value, old_value, old_known);
        if (what != NULL)
            return what;
    }
    return NULL;
}

/* ---- chipsets ----------------------------------------------------------------- */

/* ICH6..ICH10 LPC bridges (D31:F0), from each family's datasheet. */
static const uint16_t ich_lpc_device_ids[] = {
    0x2640, 0x2641, 0x2642,                     /* ICH6/6R, ICH6-M, ICH6W/6RW */
    0x27b0, 0x27b8, 0x27b9, 0x27bd,             /* ICH7DH, ICH7/7R, ICH7-M/U, ICH7-M DH */
    0x2810, 0x2811, 0x2812, 0x2814, 0x2815,     /* ICH8/8R, ICH8M-E, ICH8DH, ICH8DO, ICH8M */
    0x2912, 0x2914, 0x2916, 0x2917, 0x2918, 0x2919, /* ICH9DH, DO, R, M-E, ICH9, ICH9M */
    0x3a14, 0x3a16, 0x3a18, 0x3a1a,             /* ICH10DO, ICH10R, ICH10, ICH10D */
};

#define ICH_LPC_ID_COUNT (sizeof(ich_lpc_device_ids) / sizeof(ich_lpc_device_ids[0]))

static bool ich_lpc_id(uint16_t device)
{
    for (size_t i = 0; i < ICH_LPC_ID_COUNT; i++) {
        if (ich_lpc_device_ids[i] == device)
            return true;
    }
    return false;
}

static uint16_t id_vendor(uint32_t id_dword)
{
    return (uint16_t)(id_dword & PCI_ID_VENDOR_MASK);
}

static uint16_t id_device(uint32_t id_dword)
{
    return (uint16_t)(id_dword >> PCI_ID_DEVICE_SHIFT);
}

static uint16_t class_code(uint32_t class_dword)
{
    return (uint16_t)(class_dword >> PCI_CLASS_SHIFT);
}

const char *pm_chipset_name(enum pm_chipset kind)
{
    switch (kind) {
    case PM_CHIPSET_NONE:
        return "none";
    case PM_CHIPSET_PIIX4:
        return "piix4";
    case PM_CHIPSET_ICH:
        return "ich";
    }
    return "?";
}

/*
 * An explicit ID list rather than "any Intel class-0601 function at 0:1f.0":
 * the LPC bridges of ICH0-ICH5 keep ACPI_EN in bit 4 of 0x44, and those of
 * the 100-series PCHs on have no PM block at all (it is in the PMC at
 * 0:1f.2), so on them Kestrel would watch the wrong port and lock the wrong
 * bit while the real PM1_CNT stays unwatched.  An unknown chipset is
 * reported as none, which the caller can say out loud.
 */
enum pm_chipset pm_chipset_of(uint32_t id_dword, uint32_t class_dword)
{
    uint16_t device = id_device(id_dword);
    uint16_t class = class_code(class_dword);

    if (id_vendor(id_dword) != PCI_VENDOR_INTEL)
        return PM_CHIPSET_NONE;
    if (device == PIIX4_PM_DEVICE_ID && class == PCI_CLASS_OTHER_BRIDGE)
        return PM_CHIPSET_PIIX4;
    if (ich_lpc_id(device) && class == PCI_CLASS_ISA_BRIDGE)
        return PM_CHIPSET_ICH;
    return PM_CHIPSET_NONE;
}

bool pci_is_q35_host_bridge(uint32_t id_dword, uint32_t class_dword)
{
    return id_vendor(id_dword) == PCI_VENDOR_INTEL &&
           id_device(id_dword) == Q35_MCH_DEVICE_ID &&
           class_code(class_dword) == PCI_CLASS_HOST_BRIDGE;
}

uint16_t pm_enable_offset(enum pm_chipset kind)
{
    switch (kind) {
    case PM_CHIPSET_PIIX4:
        return PIIX4_PMREGMISC;
    case PM_CHIPSET_ICH:
        return ICH_ACPI_CNTL;
    case PM_CHIPSET_NONE:
        break;
    }
    return 0;
}

uint16_t pm1a_cnt_port_of(enum pm_chipset kind, uint32_t dword_0x40, uint32_t enable_dword)
{
    switch (kind) {
    case PM_CHIPSET_PIIX4:
        /* PMREGMISC is the low byte of the dword at 0x80. */
        if ((enable_dword & PIIX4_PMREGMISC_PMIOSE) == 0)
            return 0;
        return (uint16_t)((dword_0x40 & PIIX4_PMBA_BASE_MASK) + PM_BLOCK_PM1A_CNT);
    case PM_CHIPSET_ICH:
        /* ACPI_CNTL is the low byte of the dword at 0x44. */
        if ((enable_dword & ICH_ACPI_CNTL_ACPI_EN) == 0)
            return 0;
        return (uint16_t)((dword_0x40 & ICH_PMBASE_BASE_MASK) + PM_BLOCK_PM1A_CNT);
    case PM_CHIPSET_NONE:
        break;
    }
    return 0;
}

static void add_reg(struct pci_locked_reg *out, size_t cap, size_t *n,
                    struct pci_locked_reg r)
{
    if (out != NULL && *n < cap)
        out[*n] = r;
    (*n)++;
}

static struct pci_locked_reg locked_reg(const struct pm_device *d, uint16_t offset,
                                        uint8_t width, uint64_t locked, const char *what)
{
    struct pci_locked_reg r = {
        .bus = d->bus, .dev = d->dev, .fn = d->fn,
        .offset = offset, .width = width, .locked = locked, .what = what,
    };

    return r;
}

size_t pm_locked_regs(const struct pm_device *d, bool q35_host_bridge,
                      struct pci_locked_reg *out, size_t cap)
{
    static const struct pm_device host_bridge = {      /* 0:0.0 */
        .kind = PM_CHIPSET_NONE, .bus = 0, .dev = 0, .fn = 0,
    };
    size_t n = 0;

    if (d != NULL && d->kind == PM_CHIPSET_PIIX4) {
        add_reg(out, cap, &n,
                locked_reg(d, PIIX4_PMBA, PM_BASE_REG_WIDTH, PIIX4_PMBA_BASE_MASK,
                           "PIIX4 PMBA (PM I/O base)"));
        add_reg(out, cap, &n,
                locked_reg(d, PIIX4_PMREGMISC, PM_ENABLE_REG_WIDTH, PIIX4_PMREGMISC_PMIOSE,
                           "PIIX4 PMREGMISC.PMIOSE (PM I/O enable)"));
    } else if (d != NULL && d->kind == PM_CHIPSET_ICH) {
        add_reg(out, cap, &n,
                locked_reg(d, ICH_PMBASE, PM_BASE_REG_WIDTH, ICH_PMBASE_BASE_MASK,
                           "ICH PMBASE (ACPI I/O base)"));
        add_reg(out, cap, &n,
                locked_reg(d, ICH_ACPI_CNTL, PM_ENABLE_REG_WIDTH, ICH_ACPI_CNTL_ACPI_EN,
                           "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)"));
    }
    /* All 64 bits: the enable, the length and the base each move or
     * unmap ECAM, and with it the LPC bridge's protected page. */
    if (q35_host_bridge)
        add_reg(out, cap, &n, locked_reg(&host_bridge, Q35_PCIEXBAR, Q35_PCIEXBAR_WIDTH,
                                         UINT64_MAX, "Q35 PCIEXBAR (ECAM base)"));
    return n;
}
