/* Reading the firmware's ACPI tables (ACPI 6.x, 5.2). */
#include <stdint.h>
#include <stdbool.h>
#include "drivers/acpi.h"
#include "kernel/log.h"
#include "lib/kstring.h"

struct __attribute__((packed)) acpi_rsdp {
    char     signature[8];     /* "RSD PTR " */
    uint8_t  checksum;         /* over the first 20 bytes */
    char     oem_id[6];
    uint8_t  revision;         /* 0: ACPI 1.0 (RSDT only), 2: XSDT */
    uint32_t rsdt_address;
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t  extended_checksum;
    uint8_t  reserved[3];
};

struct __attribute__((packed)) acpi_header {
    char     signature[4];
    uint32_t length;
    uint8_t  revision;
    uint8_t  checksum;
    char     oem_id[6];
    char     oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

struct __attribute__((packed)) acpi_madt {
    struct acpi_header header;
    uint32_t lapic_address;
    uint32_t flags;
};

enum madt_entry_type {
    MADT_LOCAL_APIC = 0,
    MADT_LOCAL_X2APIC = 9,
};

#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define ACPI_TABLE_MAX_LEN      (1u << 20)   /* sanity bound on a table's length */

static bool checksum_ok(const void *p, uint32_t len)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++) {
        sum += ((const uint8_t *)p)[i];
    }
    return sum == 0;
}

static const struct acpi_header *valid_table(uint64_t addr)
{
    const struct acpi_header *h = (const void *)addr;
    if (!addr || h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX_LEN ||
        !checksum_ok(h, h->length)) {
        return 0;
    }
    return h;
}

static const struct acpi_header *find_table(uint64_t rsdp_addr, const char sig[4])
{
    const struct acpi_rsdp *rsdp = (const void *)rsdp_addr;
    if (kmemcmp(rsdp->signature, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
        log_warn("acpi: RSDP at %#llx is invalid", (unsigned long long)rsdp_addr);
        return 0;
    }
    bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt_address;
    const struct acpi_header *root = valid_table(use_xsdt ? rsdp->xsdt_address : rsdp->rsdt_address);
    if (!root) {
        log_warn("acpi: root table (%s) is invalid", use_xsdt ? "XSDT" : "RSDT");
        return 0;
    }
    unsigned entry_size = use_xsdt ? 8 : 4;
    unsigned entries = (root->length - sizeof(*root)) / entry_size;
    const uint8_t *p = (const uint8_t *)(root + 1);
    for (unsigned i = 0; i < entries; i++) {
        uint64_t addr = 0;
        __builtin_memcpy(&addr, p + i * entry_size, entry_size);
        const struct acpi_header *t = valid_table(addr);
        if (t && kmemcmp(t->signature, sig, 4) == 0) {
            return t;
        }
    }
    return 0;
}

static bool in_bootinfo(const struct kestrel_bootinfo *bi, uint32_t apic_id)
{
    for (uint32_t i = 0; i < bi->cpu_count; i++) {
        if (bi->cpus[i].apic_id == apic_id) {
            return true;
        }
    }
    return false;
}

void acpi_crosscheck_cpus(const struct kestrel_bootinfo *bi)
{
    if (!bi->acpi_rsdp) {
        log_info("acpi: no tables from firmware; CPUs from UEFI MP services only");
        return;
    }
    const struct acpi_madt *madt = (const void *)find_table(bi->acpi_rsdp, "APIC");
    if (!madt) {
        log_warn("acpi: no valid MADT; CPUs from UEFI MP services only");
        return;
    }
    unsigned listed = 0, missing = 0;
    const uint8_t *p = (const uint8_t *)(madt + 1);
    const uint8_t *end = (const uint8_t *)madt + madt->header.length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        uint32_t apic_id = 0, flags = 0;
        bool is_cpu = false;
        if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
            apic_id = p[3];
            __builtin_memcpy(&flags, p + 4, 4);
            is_cpu = true;
        } else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16) {
            __builtin_memcpy(&apic_id, p + 4, 4);
            __builtin_memcpy(&flags, p + 8, 4);
            is_cpu = true;
        }
        if (is_cpu && (flags & MADT_CPU_ENABLED)) {
            listed++;
            if (!in_bootinfo(bi, apic_id)) {
                missing++;
                log_warn("acpi: MADT lists CPU with APIC ID %u that UEFI MP services did not report",
                         apic_id);
            }
        }
        p += p[1];
    }
    if (listed != bi->cpu_count || missing) {
        log_warn("acpi: MADT lists %u enabled CPUs, UEFI MP services %u", listed, bi->cpu_count);
    } else {
        log_info("acpi: MADT agrees: %u cpus", listed);
    }
}
