/*
 * The PCI-configuration guard: which configuration byte a guest access
 * reaches (mechanism #1 through 0xCF8/0xCFC, or ECAM), and whether a write
 * would change a register Kestrel must keep still - the chipset's ACPI PM
 * I/O base and enable (moving the PM block would take PM1_CNT out from
 * under Kestrel's port interception) and the Q35 PCIEXBAR (moving ECAM
 * would take the LPC bridge's configuration page out from under Kestrel's
 * memory interception).
 *
 * Pure: both backends decode the access, read the current dword with their
 * own config accessor, and ask pci_config_write_problem().
 *
 * Not covered (no datasheet-checked layout here; the lead documents it):
 *  - Intel PCH 100 series and later: the ACPI PM block moved to the PMC at
 *    0:1f.2 (ABASE), and the LPC bridge's 0x40/0x44 are other registers.
 *  - Intel 5-9 series PCH LPC bridges (PMBASE/ACPI_CNTL look ICH-like, but
 *    their ID lists are not checked here), ICH0-ICH5 (ACPI_EN is bit 4 of
 *    0x44 there, not bit 7), and other Q35-family host bridges' PCIEXBAR.
 *  - AMD FCH: PM registers through the index/data ports 0xCD6/0xCD7
 *    (AcpiPm1CntBlk at PM index 0x62), and its ECAM (MSR C001_0058).
 *  - The TCO watchdog (ICH PMBASE + 0x60): its second timeout resets the
 *    machine.
 *  - Configuration mechanism #2 (PCI 2.0; 0xCF8 byte CSE, ports 0xCnxx).
 */
#ifndef KESTREL_CORE_PCI_GUARD_H
#define KESTREL_CORE_PCI_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_CONFIG_ADDRESS_PORT     0xcf8
#define PCI_CONFIG_DATA_PORT        0xcfc       /* 0xCFC..0xCFF */
#define PCI_CONFIG_DATA_PORT_LAST   0xcff
#define PCI_CONFIG_SPACE_SIZE       4096        /* per function, PCIe */
#define PCI_DEV_MAX                 31
#define PCI_FN_MAX                  7

/* offset: byte in the function's configuration space (0..4095). */
struct pci_addr {
    uint8_t bus, dev, fn;
    uint16_t offset;
};

/* ---- decoding ------------------------------------------------------------- */

/* Configuration mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2): the byte a data
 * port access at 0xCFC..0xCFF reaches with CONFIG_ADDRESS = config_address.
 * False when bit 31 (enable) is clear, data_port is not a data port or out
 * is NULL.
 * Offset = (addr & 0xFC) | (port & 3).  amd_extended: CONFIG_ADDRESS bits
 * 27:24 are offset bits 11:8 (AMD's IO CF8 extended configuration, on when
 * MSR C001_001F[46] EnableCf8ExtCfg is set; AMD BKDG for family 10h+).
 * Pass false on Intel, where those bits are reserved and the hardware (and
 * QEMU, Bochs) ignore them: decoding them there would let a guest disguise
 * a write at 0x40 as one at 0x140. */
bool pci_cf8_target(uint32_t config_address, uint16_t data_port, bool amd_extended,
                    struct pci_addr *out);

/* ECAM (PCI Express Base 7.2.2; PCI Firmware 3.0 4.1.2, the ACPI MCFG
 * table): ecam_base is the MCFG entry's base address, which is that of bus
 * 0 even when start_bus is higher (as Linux maps it), so the function's
 * page is ecam_base + bus << 20 | dev << 15 | fn << 12.  False when gpa is
 * below the base, its bus is outside [start_bus, end_bus], or out is NULL. */
bool pci_ecam_target(uint64_t ecam_base, uint8_t start_bus, uint8_t end_bus, uint64_t gpa,
                     struct pci_addr *out);

/* ---- locked registers ------------------------------------------------------ */

/* A configuration register whose bits in `locked` must never change: width
 * 1, 2, 4 or 8 bytes at offset (8 for a 64-bit register such as PCIEXBAR);
 * `what` names it in the refusal. */
struct pci_locked_reg {
    uint8_t bus, dev, fn;
    uint16_t offset;
    uint8_t width;
    uint64_t locked;
    const char *what;
};

/* A config write of `size` bytes (1, 2, 4) of `value` at `a`; `current` is
 * the aligned dword at a.offset & ~3 as read just before the write.  NULL
 * if the write changes no locked bit, else the register's `what`.  Judged
 * byte by byte, so a write touching several locked registers, or part of
 * one, works, and writing a locked bit with its current value is allowed.
 * A write that runs past its dword (an unaligned ECAM access) is judged
 * conservatively there: a byte past the dword holding a locked bit is a
 * problem, its old value being unknown (split such accesses at the dword
 * boundary to have them judged exactly).  A malformed access (size not 1,
 * 2, 4; dev, fn or offset out of range) is a problem too. */
const char *pci_config_write_problem(const struct pci_locked_reg *regs, size_t count,
                                     struct pci_addr a, unsigned size, uint32_t value,
                                     uint32_t current);

/* ---- the chipsets' ACPI PM blocks ------------------------------------------ */

/* Intel 82371AB PIIX4 (290562), function 3, "Power Management Registers". */
#define PIIX4_PMBA                  0x40        /* PM I/O base, bits 15:6 */
#define PIIX4_PMBA_BASE_MASK        0xffc0u     /* 64-byte block */
#define PIIX4_PMREGMISC             0x80        /* bit 0 PMIOSE: PM I/O enable */
#define PIIX4_PMREGMISC_PMIOSE      0x01u

/* Intel ICH6-ICH10 LPC bridge, D31:F0 (ICH9: 316972, "LPC Interface Bridge
 * Registers"). */
#define ICH_PMBASE                  0x40        /* ACPI base, bits 15:7 */
#define ICH_PMBASE_BASE_MASK        0xff80u     /* 128-byte block */
#define ICH_ACPI_CNTL               0x44        /* bit 7 ACPI_EN: decode enable */
#define ICH_ACPI_CNTL_ACPI_EN       0x80u

/* In both blocks PM1a_CNT is at base + 4 (PIIX4 PMCNTRL, ICH PM1_CNT). */
#define PM_BLOCK_PM1A_CNT           4

/* Intel 3 Series Chipset MCH (316966), D0:F0 PCIEXBAR: 64 bits at 0x60. */
#define Q35_PCIEXBAR                0x60
#define Q35_PCIEXBAR_WIDTH          8

enum pm_chipset { PM_CHIPSET_NONE, PM_CHIPSET_PIIX4, PM_CHIPSET_ICH };

struct pm_device {
    enum pm_chipset kind;
    uint8_t bus, dev, fn;
};

/* "piix4", "ich", "none"; "?" for anything else. */
const char *pm_chipset_name(enum pm_chipset kind);

/* Which chipset a function is, from its vendor/device ID dword (config
 * offset 0) and class dword (offset 8): PIIX4 is 8086:7113 class 0x0680
 * (normally at 0:1.3), ICH is an ICH6-ICH10 LPC ID, class 0x0601 (0:1f.0). */
enum pm_chipset pm_chipset_of(uint32_t id_dword, uint32_t class_dword);

/* The Q35 host bridge, 8086:29c0 class 0x0600 at 0:0.0, whose PCIEXBAR
 * pm_locked_regs() locks. */
bool pci_is_q35_host_bridge(uint32_t id_dword, uint32_t class_dword);

/* The config offset of the dword pm1a_cnt_port_of() takes as enable_dword
 * (PIIX4 0x80, ICH 0x44); 0 for PM_CHIPSET_NONE. */
uint16_t pm_enable_offset(enum pm_chipset kind);

/* The PM1a control port from the device's dword at 0x40 and its enable
 * dword (pm_enable_offset), or 0 when the block does not decode (or kind is
 * none).  A zero base with decoding on gives port 4: that is where the
 * hardware decodes it. */
uint16_t pm1a_cnt_port_of(enum pm_chipset kind, uint32_t dword_0x40, uint32_t enable_dword);

#define PM_LOCKED_REGS_MAX          3

/* The locked registers for device d (d may be NULL or of kind none: then
 * none of its own) plus, when q35_host_bridge, the PCIEXBAR of 0:0.0.
 * Writes up to cap entries to out and returns how many there are in all
 * (at most PM_LOCKED_REGS_MAX): a result above cap means some are missing. */
size_t pm_locked_regs(const struct pm_device *d, bool q35_host_bridge,
                      struct pci_locked_reg *out, size_t cap);

#endif
