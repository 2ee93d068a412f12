/* Reading files from the volume the loader itself was started from. */
#include "loader.h"
#include "lib/kstring.h"

static EFI_FILE_HANDLE volume_root;

EFI_STATUS files_open_boot_volume(EFI_HANDLE image)
{
    EFI_LOADED_IMAGE *loaded;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&loaded);
    if (EFI_ERROR(st)) {
        return st;
    }
    st = uefi_call_wrapper(BS->HandleProtocol, 3, loaded->DeviceHandle, &FileSystemProtocol,
                           (void **)&fs);
    if (EFI_ERROR(st)) {
        return st;
    }
    return uefi_call_wrapper(fs->OpenVolume, 2, fs, &volume_root);
}

static bool to_wide_path(const char *path, CHAR16 *out, UINTN cap)
{
    UINTN n = kstrlen(path);
    if (n + 1 > cap) {
        return false;
    }
    for (UINTN i = 0; i < n; i++) {
        out[i] = (CHAR16)(path[i] == '/' ? '\\' : (unsigned char)path[i]);
    }
    out[n] = 0;
    return true;
}

static EFI_STATUS file_size(EFI_FILE_HANDLE f, uint64_t *size)
{
    /* EFI_FILE_INFO ends in a variable-length name; 512 bytes is ample for
     * the names Kestrel uses (CFG_PATH_MAX). */
    UINT64 buf[64];
    UINTN len = sizeof(buf);
    EFI_STATUS st = uefi_call_wrapper(f->GetInfo, 4, f, &GenericFileInfo, &len, buf);
    if (EFI_ERROR(st)) {
        return st;
    }
    EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
    if (info->Attribute & EFI_FILE_DIRECTORY) {
        return EFI_NOT_FOUND;
    }
    *size = info->FileSize;
    return EFI_SUCCESS;
}

EFI_STATUS files_read(struct kestrel_bootinfo *bi, const char *path, void **data, uint64_t *size)
{
    CHAR16 wide[CFG_PATH_MAX + 1];
    EFI_FILE_HANDLE f;
    EFI_STATUS st;

    *data = NULL;
    *size = 0;
    if (!volume_root || !to_wide_path(path, wide, sizeof(wide) / sizeof(wide[0]))) {
        return EFI_INVALID_PARAMETER;
    }
    st = uefi_call_wrapper(volume_root->Open, 5, volume_root, &f, wide, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(st)) {
        return st;
    }
    st = file_size(f, size);
    if (!EFI_ERROR(st)) {
        /* At least one page, so an empty file still has an address. */
        UINTN pages = EFI_SIZE_TO_PAGES(*size ? *size : 1);
        *data = loader_alloc_pages(bi, pages, BOOTINFO_RANGE_FILE);
        if (!*data) {
            st = EFI_OUT_OF_RESOURCES;
        } else {
            UINTN len = *size;
            st = uefi_call_wrapper(f->Read, 3, f, &len, *data);
            if (!EFI_ERROR(st) && len != *size) {
                st = EFI_END_OF_FILE;   /* short read: treat as an I/O error */
            }
        }
    }
    uefi_call_wrapper(f->Close, 1, f);
    return st;
}
