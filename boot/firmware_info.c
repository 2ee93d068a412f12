/* What the kernel needs from the firmware besides memory and CPUs. */
#include "loader.h"

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static uint64_t find_config_table(EFI_GUID *guid)
{
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
        if (CompareGuid(&t->VendorGuid, guid) == 0) {
            return (uint64_t)(UINTN)t->VendorTable;
        }
    }
    return 0;
}

static void collect_rsdp(struct kestrel_bootinfo *bi)
{
    /* Prefer the ACPI 2.0+ RSDP (it carries the XSDT); fall back to 1.0. */
    bi->acpi_rsdp = find_config_table(&acpi20_guid);
    if (!bi->acpi_rsdp) {
        bi->acpi_rsdp = find_config_table(&acpi10_guid);
    }
}

static void collect_framebuffer(struct kestrel_bootinfo *bi)
{
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;

    if (uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL, (void **)&gop) != EFI_SUCCESS) {
        return;
    }
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
    uint32_t format = BOOTINFO_FB_NONE;
    if (info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor) {
        format = BOOTINFO_FB_RGBX;
    } else if (info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor) {
        format = BOOTINFO_FB_BGRX;
    }
    /* PixelBltOnly has no linear framebuffer; bitmask formats are rare
     * enough that Kestrel leaves the screen alone rather than guess. */
    if (format == BOOTINFO_FB_NONE || !gop->Mode->FrameBufferBase) {
        return;
    }
    bi->fb.base = gop->Mode->FrameBufferBase;
    bi->fb.size = gop->Mode->FrameBufferSize;
    bi->fb.width = info->HorizontalResolution;
    bi->fb.height = info->VerticalResolution;
    bi->fb.pixels_per_line = info->PixelsPerScanLine;
    bi->fb.format = format;
}

void firmware_info_collect(struct kestrel_bootinfo *bi)
{
    collect_rsdp(bi);
    collect_framebuffer(bi);
    bi->efi_system_table = (uint64_t)(UINTN)ST;
    bi->efi_runtime_services = (uint64_t)(UINTN)ST->RuntimeServices;
}
