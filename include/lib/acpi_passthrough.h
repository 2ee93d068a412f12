/*
 * The guest's ACPI tables on a machine whose firmware has them.
 *
 * The guest gets the firmware's tables, because only they describe the real
 * machine (PCI host bridges, interrupt routing, devices), with three changes
 * made through a new RSDP and XSDT that Kestrel writes into guest memory:
 *   - the MADT is Kestrel's: the firmware's with only the guest's vCPUs kept
 *     (acpi_filter_madt), or, when that cannot list every vCPU, one built
 *     from scratch (acpi_build_madt);
 *   - the DMAR is left out: the IOMMU is the hypervisor's to program (VT-d
 *     protection of Kestrel's memory from DMA is a later capability, and a
 *     guest driving the IOMMU would have to be taken away from it then);
 *   - nothing else: every other table, the FADT and DSDT included, is the
 *     firmware's own, at its own address.
 * Kestrel intercepts the FADT's PM1a control and reset ports, and needs the
 * \_S5 sleep type from the DSDT to recognise a power-off: acpi_survey()
 * finds all three.
 *
 * Pure code: reads memory only through an acpi_view.
 */
#ifndef KESTREL_LIB_ACPI_PASSTHROUGH_H
#define KESTREL_LIB_ACPI_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/acpi_build.h"
#include "lib/acpi_read.h"

struct acpi_survey {
    struct acpi_root root;
    uint64_t madt;                       /* the firmware's MADT, 0 if none or corrupt */
    uint32_t madt_len;
    struct acpi_fixed_hw hw;
    bool     s5_found;                   /* \_S5 in the DSDT or an SSDT */
    uint8_t  s5_typ_a, s5_typ_b;
};

/* Reads the firmware's RSDP, root table, FADT, MADT, DSDT and SSDTs.  False
 * (with *why) when the tables cannot be used at all: a corrupt RSDP or root
 * table, or no valid FADT. */
bool acpi_survey(const struct acpi_view *v, uint64_t rsdp, struct acpi_survey *s,
                 const char **why);

/* The same from a root table already read (by acpi_root_read), so a caller
 * that also needs the root when the FADT is missing reads it once.  root may
 * be &s->root. */
bool acpi_survey_root(const struct acpi_view *v, const struct acpi_root *root,
                      struct acpi_survey *s, const char **why);

/* The firmware's tables as Kestrel surveyed them once at boot
 * (drivers/acpi.c), for everything that needs them later (the guest's
 * tables, guest/guest_acpi.c). */
struct acpi_firmware {
    uint64_t    rsdp;                    /* 0: the firmware has no tables */
    bool        root_ok;                 /* RSDP and root table valid: survey.root is filled */
    bool        usable;                  /* the whole survey succeeded: a guest can get them */
    const char *unusable_why;            /* why not, when rsdp != 0 and !usable */
    struct acpi_survey survey;
};

struct acpi_passthrough_result {
    size_t   size;                       /* bytes written at buf */
    uint64_t madt;                       /* guest-physical address of Kestrel's MADT */
    bool     madt_filtered;              /* the firmware's, filtered (else built) */
    uint32_t fw_cpus;                    /* enabled CPUs in the firmware's MADT */
    uint32_t hidden;                     /* root entries left out (DMAR) */
};

/* Bytes acpi_passthrough_build() may need (an upper bound). */
size_t acpi_passthrough_max_size(const struct acpi_survey *s,
                                 const struct acpi_build_params *madt_params);

/* Writes, for a blob living at guest-physical madt_params->base: the RSDP
 * (revision 2, the firmware's OEM ID) at offset 0, an XSDT listing the
 * firmware's tables as described above, and Kestrel's MADT for the vCPUs in
 * madt_params (cpu_count, apic_ids; the other fields are used only if the
 * MADT has to be built).  Returns false when buf_size is too small or the
 * parameters are invalid; buf is then in an unspecified state. */
bool acpi_passthrough_build(const struct acpi_view *v, const struct acpi_survey *s,
                            const struct acpi_build_params *madt_params,
                            uint8_t *buf, size_t buf_size,
                            struct acpi_passthrough_result *out);

#endif
