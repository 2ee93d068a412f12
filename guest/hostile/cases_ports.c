/*
 * I/O ports through which a guest could power off, suspend or reset the
 * machine behind Kestrel's back, or move the ports Kestrel watches.
 *   pm/cnt-dword-2-early  an OUTL at PM1a_CNT - 2 (the chipset's PM1a control, boot info
 *                         pm1a_cnt_port): its upper half reaches PM1a_CNT with SLP_EN and a
 *                         sleep type other than S5 (ACPI 6.x 4.8.3.2.1); Kestrel decodes the
 *                         access byte by byte and drops the sleep request: the run goes on,
 *                         SLP_TYP unchanged (the lower half rewrites PM1a_EN's own value)
 *   pm/s3                 an OUTW of SLP_EN with the chipset's S3 type: dropped the same way
 *   pci/pmba-move         a CONFIG_DATA write moving the PM I/O base (PIIX4 PMBA, ICH PMBASE:
 *                         config 0x40 of the PM function) is refused: it reads back unchanged
 *   pci/pm-io-disable     clearing the PM I/O enable (PIIX4 PMREGMISC.PMIOSE, 0x80 bit 0; ICH
 *                         ACPI_CNTL.ACPI_EN, 0x44 bit 7) is refused the same way
 * Run-ending cases (hostile_case only; Kestrel must end the run with
 * `kestrel: guest reset: <how>` before the hardware sees them):
 *   reset/kbc-f0          8042 command 0xF0 (pulse every output line, the reset line too)
 *   reset/kbc-d1          8042 command 0xD1 (write output port), then 0x00: reset line low
 *   reset/port92          0x01 to port 0x92: the fast-reset bit
 *   reset/cf9-word        OUTW 0x0006 at 0xCF9: RST_CPU with SYS_RST (a word starting there)
 */
#include "guest/common/boot_info.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"

#define PM1_CNT_SLP_EN        (1u << 13)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK  (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_EN_OFFSET         2              /* PM1a_EN sits right before PM1a_CNT on both */
#define PIIX4_SUS_TYP_STR     1              /* PIIX4 PMCNTRL SUS_TYP 001b: suspend to RAM */
#define ICH_SLP_TYP_S3        5              /* ICH PM1_CNT SLP_TYP 101b */
#define PM_SETTLE_US          10000

#define PCI_CONFIG_ADDRESS    0xcf8
#define PCI_CONFIG_DATA       0xcfc
#define PCI_CONFIG_ENABLE     (1u << 31)
#define PM_BASE_OFFSET        0x40           /* PIIX4 PMBA, ICH PMBASE */
#define PM_BASE_MOVE          0x1000u        /* a base 4 KiB away: bits 15:6 change */
#define PIIX4_PMREGMISC       0x80
#define PIIX4_PMIOSE          (1u << 0)
#define ICH_ACPI_CNTL         0x44
#define ICH_ACPI_EN           (1u << 7)

#define KBC_COMMAND           0x64
#define KBC_DATA              0x60
#define KBC_PULSE_ALL         0xf0           /* pulse output lines 0-3 (bit 0: reset) */
#define KBC_WRITE_OUTPUT      0xd1
#define KBC_OUTPUT_RESET_LOW  0x00           /* output port bit 0 clear: reset asserted */
#define PORT92                0x92
#define PORT92_FAST_RESET     0x01
#define RESET_CONTROL         0xcf9
#define CF9_RESET_WORD        0x0006         /* SYS_RST | RST_CPU in the byte at 0xCF9 */

/* ---- PM1a control ------------------------------------------------------------ */

/* A sleep type that is not the chipset's S5 (the S3 one where known). */
static unsigned non_s5_type(void)
{
    unsigned s3 = boot_info->pm_chipset == GUEST_PM_CHIPSET_ICH ? ICH_SLP_TYP_S3
                                                                : PIIX4_SUS_TYP_STR;
    return s3 != boot_info->pm1a_s5_typ ? s3 : (s3 + 1) & 7;
}

/* The sleep request (already written) must have been dropped: PM1a_CNT's
 * SLP_TYP is what it was (SLP_EN always reads 0). */
static void expect_sleep_dropped(struct outcome *o, uint16_t cnt_before)
{
    tsc_delay_us(PM_SETTLE_US);
    uint16_t after = inw(boot_info->pm1a_cnt_port);
    if ((after & PM1_CNT_SLP_TYP_MASK) != (cnt_before & PM1_CNT_SLP_TYP_MASK))
        not_refused(o, "PM1a_CNT reads 0x%x after the sleep request, was 0x%x: it reached the "
                       "chipset", after, cnt_before);
}

static bool pm1a_known(struct outcome *o)
{
    if (boot_info->pm1a_cnt_port == 0) {
        skipped(o, "the boot info names no chipset PM1a control");
        return false;
    }
    return true;
}

static uint16_t sleep_request(uint16_t cnt)
{
    return (uint16_t)((cnt & ~PM1_CNT_SLP_TYP_MASK) | PM1_CNT_SLP_EN |
                      non_s5_type() << PM1_CNT_SLP_TYP_SHIFT);
}

void case_pm_cnt_dword_2_early(struct outcome *o)
{
    if (!pm1a_known(o))
        return;
    uint16_t port = (uint16_t)(boot_info->pm1a_cnt_port - PM1_EN_OFFSET);
    uint16_t en = inw(port), cnt = inw(boot_info->pm1a_cnt_port);

    outl(port, (uint32_t)sleep_request(cnt) << 16 | en);
    expect_sleep_dropped(o, cnt);
}

void case_pm_s3(struct outcome *o)
{
    if (!pm1a_known(o))
        return;
    uint16_t cnt = inw(boot_info->pm1a_cnt_port);

    outw(boot_info->pm1a_cnt_port, sleep_request(cnt));
    expect_sleep_dropped(o, cnt);
}

/* ---- PCI configuration ---------------------------------------------------- */

static uint32_t config_address(uint32_t offset)
{
    return PCI_CONFIG_ENABLE | (uint32_t)boot_info->pm_bus << 16 |
           (uint32_t)boot_info->pm_dev << 11 | (uint32_t)boot_info->pm_fn << 8 | (offset & 0xfc);
}

static uint32_t config_read32(uint32_t offset)
{
    outl(PCI_CONFIG_ADDRESS, config_address(offset));
    return inl(PCI_CONFIG_DATA);
}

static void config_write32(uint32_t offset, uint32_t value)
{
    outl(PCI_CONFIG_ADDRESS, config_address(offset));
    outl(PCI_CONFIG_DATA, value);
}

static uint8_t config_read8(uint32_t offset)
{
    outl(PCI_CONFIG_ADDRESS, config_address(offset));
    return inb((uint16_t)(PCI_CONFIG_DATA + (offset & 3)));
}

static void config_write8(uint32_t offset, uint8_t value)
{
    outl(PCI_CONFIG_ADDRESS, config_address(offset));
    outb((uint16_t)(PCI_CONFIG_DATA + (offset & 3)), value);
}

static bool pm_function_known(struct outcome *o)
{
    if (boot_info->pm_chipset != GUEST_PM_CHIPSET_PIIX4 &&
        boot_info->pm_chipset != GUEST_PM_CHIPSET_ICH) {
        skipped(o, "the boot info names no PIIX4 or ICH PM function");
        return false;
    }
    return true;
}

void case_pci_pmba_move(struct outcome *o)
{
    if (!pm_function_known(o))
        return;
    uint32_t before = config_read32(PM_BASE_OFFSET);

    config_write32(PM_BASE_OFFSET, before ^ PM_BASE_MOVE);
    uint32_t after = config_read32(PM_BASE_OFFSET);
    if (after != before) {
        config_write32(PM_BASE_OFFSET, before);   /* accepted: put the PM block back */
        not_refused(o, "the PM base reads 0x%x after the write, was 0x%x", after, before);
    }
}

void case_pci_pm_io_disable(struct outcome *o)
{
    if (!pm_function_known(o))
        return;
    bool piix4 = boot_info->pm_chipset == GUEST_PM_CHIPSET_PIIX4;
    uint32_t offset = piix4 ? PIIX4_PMREGMISC : ICH_ACPI_CNTL;
    uint8_t enable = piix4 ? PIIX4_PMIOSE : ICH_ACPI_EN;
    uint8_t before = config_read8(offset);

    config_write8(offset, (uint8_t)(before & ~enable));
    uint8_t after = config_read8(offset);
    if (after != before) {
        config_write8(offset, before);
        not_refused(o, "config 0x%x reads 0x%x after the write, was 0x%x", offset, after, before);
    }
}

/* ---- reset paths (main.c says "the run went on" if these return) ------- */

void case_reset_kbc_f0(struct outcome *o)
{
    (void)o;
    outb(KBC_COMMAND, KBC_PULSE_ALL);
}

void case_reset_kbc_d1(struct outcome *o)
{
    (void)o;
    outb(KBC_COMMAND, KBC_WRITE_OUTPUT);
    outb(KBC_DATA, KBC_OUTPUT_RESET_LOW);
}

void case_reset_port92(struct outcome *o)
{
    (void)o;
    outb(PORT92, PORT92_FAST_RESET);
}

void case_reset_cf9_word(struct outcome *o)
{
    (void)o;
    outw(RESET_CONTROL, CF9_RESET_WORD);
}
