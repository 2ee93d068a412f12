/*
 * Built-in guests: flat images embedded in kestrel.elf (guest/images.asm),
 * loaded the way a boot loader would: image and page tables in guest RAM,
 * a boot-info page, 64-bit entry on the BSP.  Everything here lives in
 * memory the guest owns; nothing points into Kestrel's.
 */
#include "guest/builtin.h"
#include "lib/pagetable.h"

#define FOUR_GIB      (1ull << 32)
#define PAGE          4096ull

extern const uint8_t selftest_image[], selftest_image_end[];
extern const uint8_t hostile_image[], hostile_image_end[];
extern const uint8_t bench_image[], bench_image_end[];

static const struct builtin_entry {
    const char *name;
    const uint8_t *start, *end;
} entries[] = {
    { "selftest", selftest_image, selftest_image_end },
    { "hostile",  hostile_image,  hostile_image_end },
    { "bench",    bench_image,    bench_image_end },
};

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++, b++;
    }
    return *a == *b;
}

const struct builtin_image *builtin_find(const char *name)
{
    static struct builtin_image found;
    for (unsigned i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        if (same(entries[i].name, name)) {
            found.name = entries[i].name;
            found.data = entries[i].start;
            found.size = (size_t)(entries[i].end - entries[i].start);
            return &found;
        }
    }
    return 0;
}

/* Page-table pages for the guest: guest RAM below 4 GiB (its APs load CR3
 * from 32-bit code), zeroed. */
static uint64_t guest_table_page(void *ctx)
{
    uint64_t p = frames_alloc((struct frame_pool *)ctx, 1, PAGE, FOUR_GIB);
    if (p) {
        __builtin_memset((void *)p, 0, PAGE);
    }
    return p;
}

static bool header_ok(const struct builtin_image *img, const struct guest_image_header *h,
                      const char **why)
{
    if (img->size < sizeof(*h) || h->magic != GUEST_IMAGE_MAGIC) {
        *why = "bad image header";
        return false;
    }
    if (h->image_size < img->size || (h->image_size & (PAGE - 1)) || h->image_size > (64ull << 20) ||
        h->entry_offset >= img->size || h->stack_top_offset > h->image_size) {
        *why = "image header sizes or offsets out of range";
        return false;
    }
    return true;
}

bool builtin_load(const struct builtin_image *img, struct frame_pool *guest,
                  const struct guest_boot_info *info, struct guest_entry *entry,
                  const char **why)
{
    const struct guest_image_header *h = (const void *)img->data;
    if (!header_ok(img, h, why)) {
        return false;
    }
    uint64_t base = frames_alloc(guest, h->image_size / PAGE, PAGE, FOUR_GIB);
    uint64_t info_page = frames_alloc(guest, 1, PAGE, FOUR_GIB);
    uint64_t root = guest_table_page(guest);
    if (!base || !info_page || !root) {
        *why = "not enough guest memory below 4 GiB";
        return false;
    }
    __builtin_memcpy((void *)base, img->data, img->size);
    __builtin_memset((void *)(base + img->size), 0, h->image_size - img->size);
    __builtin_memcpy((void *)info_page, info, sizeof(*info));
    ((struct guest_boot_info *)info_page)->magic = GUEST_BOOT_INFO_MAGIC;

    struct pt_ctx pt = { (uint64_t *)root, guest_table_page, guest, PT_ALLOW_2M };
    if (pt_map(&pt, 0, 0, FOUR_GIB, PTE_WRITE) != PT_OK) {
        *why = "cannot build the guest's identity map";
        return false;
    }
    pt.allow = 0;
    if (pt_map(&pt, GUEST_IMAGE_LINK_BASE, base, h->image_size, PTE_WRITE) != PT_OK) {
        *why = "cannot map the guest image";
        return false;
    }
    entry->rip = GUEST_IMAGE_LINK_BASE + h->entry_offset;
    entry->rsp = GUEST_IMAGE_LINK_BASE + h->stack_top_offset;
    entry->cr3 = root;
    entry->rdi = info_page;
    return true;
}
