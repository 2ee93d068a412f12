/*
 * Kestrel's UEFI loader: internal declarations.
 *
 * The loader lives in the firmware's world (GNU-EFI, boot services) and ends
 * it: it reads kestrel.elf and kestrel.cfg from its own volume, collects what
 * the kernel needs into one struct kestrel_bootinfo, exits boot services and
 * jumps to the kernel.  Nothing but the boot-info crosses that line.
 */
#ifndef KESTREL_BOOT_LOADER_H
#define KESTREL_BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>
#include <stdbool.h>
#include "bootinfo.h"
#include "lib/config.h"

#define LOADER_VERSION "0.1"

/* console.c: lib/fmt formatting onto ConOut (which OVMF mirrors to serial). */
void loader_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "kestrel: error: ...", waits for a key (or 30 s) so a user can read
 * it, and returns the status the loader should hand back to the firmware. */
EFI_STATUS loader_fail(EFI_STATUS status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* memory.c: page allocations that outlive the loader are recorded as
 * reserved ranges in the boot-info, so the kernel never reuses them. */
void *loader_alloc_pages(struct kestrel_bootinfo *bi, UINTN pages,
                         enum bootinfo_range_kind kind);
void *loader_alloc_low_page(struct kestrel_bootinfo *bi);  /* below 1 MiB */
bool  loader_record_range(struct kestrel_bootinfo *bi, uint64_t base, uint64_t size,
                          enum bootinfo_range_kind kind);
/* The firmware's free (conventional) memory right now, in bytes: the largest
 * block one allocation can take and the total.  For explaining a failed
 * allocation; false when the memory map cannot be read. */
bool  loader_free_memory(uint64_t *largest, uint64_t *total);

/* files.c */
EFI_STATUS files_open_boot_volume(EFI_HANDLE image);
/* Reads a whole file into fresh pages; EFI_NOT_FOUND when absent.
 * *data stays NULL unless the pages were allocated, *size 0 until the file's
 * size is known: EFI_OUT_OF_RESOURCES with *data NULL and *size non-zero
 * means the file is there but no memory could be allocated for it. */
EFI_STATUS files_read(struct kestrel_bootinfo *bi, const char *path,
                      void **data, uint64_t *size);

/* cpus.c: every CPU's APIC ID from EFI_MP_SERVICES_PROTOCOL. */
void cpus_collect(struct kestrel_bootinfo *bi);

/* firmware_info.c: ACPI RSDP, GOP framebuffer. */
void firmware_info_collect(struct kestrel_bootinfo *bi);

/* kernel_load.c: validates kestrel.elf, loads it, builds the page tables the
 * kernel is entered on.  Returns the entry point (virtual) or 0 after
 * printing the reason. */
uint64_t kernel_load(struct kestrel_bootinfo *bi, const void *elf, uint64_t size,
                     uint64_t *pml4_out);

/* handoff.c: final memory map, ExitBootServices, jump.  Returns only on
 * failure (boot services still available then). */
EFI_STATUS handoff(EFI_HANDLE image, struct kestrel_bootinfo *bi,
                   uint64_t entry, uint64_t pml4);

#endif
