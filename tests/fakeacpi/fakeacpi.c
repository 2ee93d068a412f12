/*
 * fakeacpi: a test-only "firmware with ACPI tables" (docs/testing.md).
 *
 * The only emulator here with VMX (Bochs 3.0 + OVMF) publishes no ACPI
 * tables, so Kestrel's path for machines whose firmware has them (pass the
 * firmware's tables through, put Kestrel's MADT in place of the firmware's,
 * intercept the FADT's PM1a control and reset ports) would never run in a
 * test.  This GNU-EFI application stands in for such firmware: it installs a
 * realistic table set into the UEFI configuration table and then chain-loads
 * Kestrel's real loader from \EFI\KESTREL\LOADER.EFI on the same volume.
 *
 * The tables come from lib/acpi_build.c (the builder Kestrel itself uses), with
 * values chosen to differ from Kestrel's own where a test must tell them apart:
 * 8 CPUs (more than the emulator has, so Kestrel must replace the MADT), S5
 * SLP_TYP 0 (Kestrel's tables use 5), OEM "FAKEFW", and an extra SSDT that
 * Kestrel must hand to the guest untouched.  The PM registers are the real
 * ones of Bochs' i440fx machine: OVMF programs the PIIX4 PM block at 0xb000,
 * and Bochs takes SLP_TYP 0 as soft power-off.  So the guest's pass-through
 * accesses reach working registers, as on real firmware, and a power-off that
 * Kestrel failed to intercept would switch Bochs off before Kestrel's
 * `guest powered off` line.
 */
#include <efi.h>
#include <efilib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/acpi_build.h"
#include "lib/acpi_read.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define LOADER_PATH     L"\\EFI\\KESTREL\\LOADER.EFI"

#define FAKE_CPUS       8u
#define LAPIC_BASE      0xfee00000u
#define IOAPIC_ID       0u
#define IOAPIC_BASE     0xfec00000u
#define IOAPIC_GSI_BASE 0u
#define PM1A_EVT_PORT   0xb000u
#define PM1A_CNT_PORT   0xb004u
#define PM_TMR_PORT     0xb008u
#define RESET_PORT      0xcf9u
#define RESET_VALUE     0x06u
#define S5_SLP_TYP      0u
#define SCI_IRQ         9u
#define OEM_ID          "FAKEFW"

#define SSDT_REVISION   2u          /* >= 2: 64-bit AML integers, like the DSDT */
#define SSDT_TABLE_ID   "KTESTSSD"  /* 8 chars, no NUL in the table */
#define XSDT_ENTRIES    3u          /* FADT, MADT, SSDT */
#define TABLE_ALIGN     16u         /* as acpi_build() places its tables */

/* Largest blob this app ever builds, with room to spare: acpi_build's tables
 * for 8 CPUs are well under 1 KiB, the SSDT and new XSDT under 100 bytes. */
#define BLOB_PAGES      2u
#define BLOB_MAX_ADDR   0xffffffffull   /* below 4 GiB: the FADT's 32-bit fields reach it */

/* The SSDT's AML: one harmless named object, Name (\KFWT, 0x2A), so Linux
 * has something to load and lists the table ("ACPI: SSDT ... KTESTSSD").
 * Encoded by hand from the AML grammar (ACPI 6.5 chapter 20). */
static const uint8_t ssdt_aml[] = {
    0x08,                   /* NameOp                                        */
    0x5c,                   /* RootChar '\': the name is absolute            */
    'K', 'F', 'W', 'T',     /* NameSeg "KFWT" (4 chars)                      */
    0x0a,                   /* BytePrefix: a one-byte integer follows        */
    0x2a,                   /* 42                                            */
};

#define SSDT_LEN  ((uint32_t)(sizeof(struct acpi_header) + sizeof(ssdt_aml)))
#define XSDT_LEN  ((uint32_t)(sizeof(struct acpi_header) + 8u * XSDT_ENTRIES))

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* ---- console ------------------------------------------------------------- */

/* One line onto ConOut (which OVMF mirrors to the serial line); ConOut
 * wants CRLF. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[256];
    CHAR16 wide[sizeof(line) + 2];
    va_list ap;
    UINTN n = 0;

    va_start(ap, fmt);
    kvsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    for (const char *s = line; *s; s++) {
        wide[n++] = (CHAR16)(unsigned char)*s;
    }
    wide[n++] = L'\r';
    wide[n++] = L'\n';
    wide[n] = 0;
    uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
}

static EFI_STATUS fail(EFI_STATUS st, const char *what)
{
    say("fakeacpi: error: %s (status %#llx)", what, (unsigned long long)st);
    return st;
}

/* ---- tables -------------------------------------------------------------- */

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* The checksum byte that makes len bytes at p sum to zero, given that it is
 * itself still 0. */
static uint8_t checksum_for(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + b[i]);
    }
    return (uint8_t)-sum;
}

static void seal(struct acpi_header *h)
{
    h->checksum = 0;
    h->checksum = checksum_for(h, h->length);
}

/* Where a table found inside the blob lives physically. */
static uint64_t phys_of(const uint8_t *blob, uint64_t base, const void *table)
{
    return base + (uint64_t)((const uint8_t *)table - blob);
}

static size_t write_ssdt(uint8_t *at)
{
    struct acpi_header *h = (struct acpi_header *)at;

    __builtin_memset(h, 0, sizeof(*h));
    __builtin_memcpy(h->signature, "SSDT", 4);
    h->length = SSDT_LEN;
    h->revision = SSDT_REVISION;
    __builtin_memcpy(h->oem_id, OEM_ID, 6);
    __builtin_memcpy(h->oem_table_id, SSDT_TABLE_ID, 8);
    h->oem_revision = 1;
    __builtin_memcpy(&h->creator_id, "FAKE", 4);
    h->creator_revision = 1;
    __builtin_memcpy(at + sizeof(*h), ssdt_aml, sizeof(ssdt_aml));
    seal(h);
    return SSDT_LEN;
}

/* acpi_build()'s set plus the SSDT, the RSDP pointing at a new XSDT that
 * lists all three; everything inside buf (zeroed by the caller, so the gaps
 * between tables are zero), which lives at base.  Returns the bytes used, or
 * 0 with *what saying what went wrong. */
static size_t build_tables(uint64_t base, uint8_t *buf, size_t cap, const char **what)
{
    uint32_t apic_ids[FAKE_CPUS];
    for (uint32_t i = 0; i < FAKE_CPUS; i++) {
        apic_ids[i] = i;
    }
    struct acpi_build_params p = {
        .base = base,
        .cpu_count = FAKE_CPUS,
        .apic_ids = apic_ids,
        .acpi_uids = NULL,
        .lapic_base = LAPIC_BASE,
        .have_ioapic = true,
        .ioapic_id = IOAPIC_ID,
        .ioapic_gsi_base = IOAPIC_GSI_BASE,
        .ioapic_base = IOAPIC_BASE,
        .pm1a_evt_port = PM1A_EVT_PORT,
        .pm1a_cnt_port = PM1A_CNT_PORT,
        .pm_tmr_port = PM_TMR_PORT,
        .reset_port = RESET_PORT,
        .reset_value = RESET_VALUE,
        .s5_slp_typ = S5_SLP_TYP,
        .sci_irq = SCI_IRQ,
        .iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042,
        .oem_id = OEM_ID,
    };

    size_t used = acpi_build(&p, buf, cap);
    if (used == 0) {
        *what = "acpi_build refused the parameters";
        return 0;
    }
    /* FADT and MADT as acpi_build's XSDT lists them (found by walking it). */
    const uint8_t *fadt = acpi_find_table(buf, used, base, "FACP");
    const uint8_t *madt = acpi_find_table(buf, used, base, "APIC");
    if (fadt == NULL || madt == NULL) {
        *what = "acpi_build's tables have no FADT or MADT";
        return 0;
    }

    size_t ssdt_off = align_up(used, TABLE_ALIGN);
    size_t xsdt_off = align_up(ssdt_off + SSDT_LEN, TABLE_ALIGN);
    size_t end = xsdt_off + XSDT_LEN;
    if (end > cap) {
        *what = "tables do not fit their pages";
        return 0;
    }
    write_ssdt(buf + ssdt_off);

    /* The new XSDT keeps the old one's header (OEM fields, revision); only
     * the length, entries and checksum change.  The old XSDT stays in the
     * blob, unreferenced. */
    struct acpi_rsdp *rsdp = (struct acpi_rsdp *)buf;
    const uint8_t *old_xsdt = buf + (rsdp->xsdt_address - base);
    struct acpi_header *xsdt = (struct acpi_header *)(buf + xsdt_off);
    uint64_t entries[XSDT_ENTRIES] = {
        phys_of(buf, base, fadt),
        phys_of(buf, base, madt),
        base + ssdt_off,
    };
    __builtin_memcpy(xsdt, old_xsdt, sizeof(*xsdt));
    xsdt->length = XSDT_LEN;
    /* The 64-bit entries start at offset 36: not naturally aligned. */
    __builtin_memcpy(buf + xsdt_off + sizeof(*xsdt), entries, sizeof(entries));
    seal(xsdt);

    /* Both RSDP checksums: the first covers bytes 0..19, the extended one
     * all 36 (including the first checksum byte). */
    rsdp->xsdt_address = base + xsdt_off;
    rsdp->checksum = 0;
    rsdp->extended_checksum = 0;
    rsdp->checksum = checksum_for(rsdp, ACPI_RSDP_V1_LEN);
    rsdp->extended_checksum = checksum_for(rsdp, ACPI_RSDP_LEN);
    return end;
}

/* Walks the finished set the way an OS would: RSDP -> new XSDT -> each
 * table (and DSDT/FACS through the FADT), checksums included. */
static bool tables_ok(const uint8_t *buf, size_t used, uint64_t base)
{
    static const char *const sigs[] = { "FACP", "APIC", "SSDT", "DSDT", "FACS" };
    const struct acpi_rsdp *rsdp = (const struct acpi_rsdp *)buf;

    if (!acpi_checksum_ok(rsdp, ACPI_RSDP_V1_LEN) || !acpi_checksum_ok(rsdp, ACPI_RSDP_LEN) ||
        rsdp->xsdt_address + XSDT_LEN != base + used) {
        return false;
    }
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if (acpi_find_table(buf, used, base, sigs[i]) == NULL) {
            return false;
        }
    }
    const struct acpi_header *ssdt = acpi_find_table(buf, used, base, "SSDT");
    return ssdt->length == SSDT_LEN && ssdt->revision == SSDT_REVISION &&
           kmemcmp(ssdt->oem_table_id, SSDT_TABLE_ID, 8) == 0;
}

/* ---- entry --------------------------------------------------------------- */

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    EFI_PHYSICAL_ADDRESS addr = BLOB_MAX_ADDR;
    EFI_LOADED_IMAGE *loaded;
    EFI_DEVICE_PATH *path;
    EFI_HANDLE loader;
    EFI_STATUS st;
    const char *what = "";

    InitializeLib(image, systab);

    /* ACPI reclaim memory is what firmware tables live in: Kestrel keeps it
     * out of its allocator and reports it to the guest as ACPI (e820 type 3). */
    st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiACPIReclaimMemory,
                           BLOB_PAGES, &addr);
    if (EFI_ERROR(st)) {
        return fail(st, "cannot allocate ACPI reclaim pages below 4 GiB");
    }
    uint8_t *buf = (uint8_t *)(UINTN)addr;
    size_t cap = BLOB_PAGES * EFI_PAGE_SIZE;
    /* Zero past the tables too: OVMF fills fresh pages with a pattern, and
     * whoever dumps this ACPI memory should see only the tables. */
    __builtin_memset(buf, 0, cap);
    size_t used = build_tables(addr, buf, cap, &what);
    if (used == 0) {
        uefi_call_wrapper(BS->FreePages, 2, addr, BLOB_PAGES);
        return fail(EFI_ABORTED, what);
    }
    if (!tables_ok(buf, used, addr)) {
        uefi_call_wrapper(BS->FreePages, 2, addr, BLOB_PAGES);
        return fail(EFI_ABORTED, "the built tables fail their own check");
    }

    /* Under both GUIDs: a loader that looks only for the ACPI 1.0 entry
     * finds the same (revision 2) RSDP.  Installing over an existing GUID
     * replaces the firmware's entry (QEMU's OVMF has tables of its own). */
    st = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &acpi20_guid, buf);
    if (EFI_ERROR(st)) {
        return fail(st, "cannot install the ACPI 2.0 configuration table");
    }
    st = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &acpi10_guid, buf);
    if (EFI_ERROR(st)) {
        return fail(st, "cannot install the ACPI 1.0 configuration table");
    }
    say("fakeacpi: installed ACPI tables at %#llx (MADT %u cpus, PM1a %#x/%#x, reset %#x=0x%02x, "
        "S5 type %u, SSDT %s)",
        (unsigned long long)addr, FAKE_CPUS, PM1A_EVT_PORT, PM1A_CNT_PORT, RESET_PORT, RESET_VALUE,
        S5_SLP_TYP, SSDT_TABLE_ID);

    /* The real loader from this app's own volume: it reads kestrel.elf and
     * kestrel.cfg from the volume it was loaded from, i.e. this one. */
    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&loaded);
    if (EFI_ERROR(st)) {
        return fail(st, "no loaded-image protocol on this app");
    }
    path = FileDevicePath(loaded->DeviceHandle, LOADER_PATH);
    if (path == NULL) {
        return fail(EFI_OUT_OF_RESOURCES, "cannot build the device path of \\EFI\\KESTREL\\LOADER.EFI");
    }
    st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, path, NULL, 0, &loader);
    FreePool(path);
    if (EFI_ERROR(st)) {
        return fail(st, "cannot load \\EFI\\KESTREL\\LOADER.EFI");
    }
    /* On success the loader never returns: it exits boot services and
     * starts Kestrel. */
    st = uefi_call_wrapper(BS->StartImage, 3, loader, NULL, NULL);
    return fail(st, "\\EFI\\KESTREL\\LOADER.EFI returned");
}
