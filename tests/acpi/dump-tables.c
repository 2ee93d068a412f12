/*
 * Writes the ACPI tables lib/acpi_build.c produces to files, one table per
 * file (<dir>/<case>-<sig>.dat), for tests/acpi/check-with-iasl.sh to run
 * ACPICA's disassembler on.  A host program; not part of the unit tests.
 *
 *   dump-tables <dir>
 */
#include "lib/acpi_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t ids[512];

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "dump-tables: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static uint32_t table_len(const uint8_t *t)
{
    uint32_t len;

    memcpy(&len, t + 4, 4);
    return len;
}

/* Builds one blob and writes each of its tables. */
static int dump_case(const char *dir, const char *name, const struct acpi_build_params *p)
{
    static uint8_t blob[65536];
    static const char *const sigs[] = { "FACP", "APIC", "DSDT", "FACS" };
    size_t size = acpi_build(p, blob, sizeof(blob));
    char file[256];
    int bad = 0;

    if (size == 0) {
        fprintf(stderr, "dump-tables: %s: acpi_build failed\n", name);
        return 1;
    }
    snprintf(file, sizeof(file), "%s-rsdp", name);
    bad |= write_file(dir, file, blob, ACPI_RSDP_LEN);
    {
        uint64_t xsdt;

        memcpy(&xsdt, blob + 24, 8);
        snprintf(file, sizeof(file), "%s-xsdt", name);
        bad |= write_file(dir, file, blob + (xsdt - p->base), table_len(blob + (xsdt - p->base)));
    }
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        const uint8_t *t = acpi_find_table(blob, size, p->base, sigs[i]);
        char lower[5];

        if (t == NULL) {
            fprintf(stderr, "dump-tables: %s: %s not found\n", name, sigs[i]);
            return 1;
        }
        for (int k = 0; k < 4; k++)
            lower[k] = (char)(sigs[i][k] | 0x20);
        lower[4] = '\0';
        snprintf(file, sizeof(file), "%s-%s", name, lower);
        bad |= write_file(dir, file, t, table_len(t));
    }
    return bad;
}

int main(int argc, char **argv)
{
    struct acpi_build_params p = {
        .base = 0x9a000,
        .apic_ids = ids,
        .lapic_base = 0xfee00000u,
        .pm1a_evt_port = 0xb000,
        .pm1a_cnt_port = 0xb004,
        .pm_tmr_port = 0xb008,
        .reset_port = 0xcf9,
        .reset_value = 0x06,
        .s5_slp_typ = 5,
        .sci_irq = 9,
        .iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042,
        .oem_id = "KESTRL",
    };
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: dump-tables <dir>\n");
        return 2;
    }
    for (uint32_t i = 0; i < 512; i++)
        ids[i] = i;

    p.cpu_count = 1;                                    /* the smallest guest */
    bad |= dump_case(argv[1], "cpu1", &p);

    p.cpu_count = 4;                                    /* an I/O APIC and its overrides */
    p.have_ioapic = true;
    p.ioapic_id = 4;
    p.ioapic_base = 0xfec00000u;
    bad |= dump_case(argv[1], "cpu4-ioapic", &p);

    p.cpu_count = 300;                                  /* x2APIC entries; blob above 4 GiB */
    p.have_ioapic = false;
    p.base = 0x123456000ull;
    p.pm_tmr_port = 0;
    p.reset_port = 0;
    bad |= dump_case(argv[1], "cpu300-high", &p);
    return bad;
}
