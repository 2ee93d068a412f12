/*
 * Multiboot 1 and 2, the kernel's side: the information structures it
 * receives in EBX (see guest/multiboot/multiboot.h; the image is checked by
 * multiboot_parse.c).  Everything is written into the caller's buffer with
 * its guest-physical address in mind; nothing here reads the image.
 */
#include "lib/le.h"
#include "guest/multiboot/multiboot.h"

#define FOUR_GIB        (1ull << 32)

static uint64_t align_up8(uint64_t v)
{
    return (v + 7) & ~7ull;
}

/* ---- building what the kernel receives ------------------------------------ */

static size_t string_length(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

/* Appends to the caller's buffer; once something does not fit, nothing more
 * is written and the build fails. */
struct writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    bool overflow;
};

/* Reserves n zeroed bytes at the next 8-aligned position; returns their
 * offset (meaningless once w->overflow is set). */
static size_t reserve(struct writer *w, size_t n)
{
    if (n == 0)
        return w->pos;                     /* an empty array takes no room */

    size_t at = (size_t)align_up8(w->pos);

    if (w->overflow || at > w->cap || n > w->cap - at) {
        w->overflow = true;
        return 0;
    }
    __builtin_memset(w->buf + w->pos, 0, at + n - w->pos);   /* padding too */
    w->pos = at + n;
    return at;
}

/* Copies a NUL-terminated string; returns its offset. */
static size_t put_string(struct writer *w, const char *s)
{
    size_t len = s != NULL ? string_length(s) : 0;
    size_t at = reserve(w, len + 1);

    if (!w->overflow && len > 0)
        __builtin_memcpy(w->buf + at, s, len);
    return at;
}

/* RAM contiguous from start, whatever the order of the list. */
static uint64_t ram_run_end(const struct e820_entry *mem, unsigned count, uint64_t start)
{
    uint64_t pos = start;
    bool grew = true;

    while (grew) {
        grew = false;
        for (unsigned i = 0; i < count; i++) {
            uint64_t addr = mem[i].addr, size = mem[i].size;
            uint64_t end = size > UINT64_MAX - addr ? UINT64_MAX : addr + size;

            if (mem[i].type == E820_RAM && addr <= pos && pos < end) {
                pos = end;
                grew = true;
            }
        }
    }
    return pos;
}

void mb_basic_meminfo(const struct e820_entry *mem, unsigned count,
                      uint32_t *mem_lower, uint32_t *mem_upper)
{
    uint64_t low_end = mem != NULL ? ram_run_end(mem, count, 0) : 0;
    uint64_t high_end = mem != NULL ? ram_run_end(mem, count, 0x100000) : 0x100000;
    uint64_t upper_kib = (high_end - 0x100000) / 1024;

    if (low_end > 640 * 1024)
        low_end = 640 * 1024;
    *mem_lower = (uint32_t)(low_end / 1024);
    *mem_upper = upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib;
}

/* Bytes per scan line and the channel positions of a 32-bit GOP mode. */
static bool fb_layout(const struct bootinfo_framebuffer *fb, uint32_t *pitch,
                      uint8_t *red_pos, uint8_t *blue_pos)
{
    if (fb->format == BOOTINFO_FB_RGBX) {
        *red_pos = 0;
        *blue_pos = 16;
    } else if (fb->format == BOOTINFO_FB_BGRX) {
        *red_pos = 16;
        *blue_pos = 0;
    } else {
        return false;
    }
    if ((uint64_t)fb->pixels_per_line * 4 > UINT32_MAX)
        return false;
    *pitch = fb->pixels_per_line * 4;
    return true;
}

/* color_info for a direct-RGB framebuffer: position, size per channel. */
static void put_color_info(uint8_t *p, uint8_t red_pos, uint8_t blue_pos)
{
    put8(p + 0, red_pos);
    put8(p + 1, 8);
    put8(p + 2, 8);       /* green position */
    put8(p + 3, 8);
    put8(p + 4, blue_pos);
    put8(p + 5, 8);
}

static bool modules_below_4g(const struct mb_info_input *in)
{
    if (in->module_count > 0 && in->modules == NULL)
        return false;
    for (unsigned i = 0; i < in->module_count; i++) {
        /* Both ends are 32-bit fields: end (exclusive) must fit too. */
        if (in->modules[i].start > in->modules[i].end || in->modules[i].end > UINT32_MAX)
            return false;
    }
    return true;
}

static bool input_usable(const void *buf, uint64_t buf_phys, const struct mb_info_input *in)
{
    return buf != NULL && in != NULL && buf_phys % 8 == 0 && buf_phys < FOUR_GIB &&
           (in->mem_count == 0 || in->mem != NULL) && modules_below_4g(in);
}

size_t mb1_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in)
{
    struct writer w = { .buf = buf, .cap = cap, .pos = 0, .overflow = false };
    uint32_t flags = MB1_INFO_MEMORY | MB1_INFO_MMAP | MB1_INFO_MODS;
    uint32_t mem_lower, mem_upper, pitch = 0;
    uint8_t red_pos = 0, blue_pos = 0;

    if (!input_usable(buf, buf_phys, in))
        return 0;
    if (in->fb != NULL && !fb_layout(in->fb, &pitch, &red_pos, &blue_pos))
        return 0;

    size_t info = reserve(&w, MB1_I_SIZE);
    size_t mmap = reserve(&w, (size_t)in->mem_count * MB1_MMAP_ENTRY_SIZE);
    size_t mods = reserve(&w, (size_t)in->module_count * MB1_MODULE_SIZE);
    size_t cmdline = in->cmdline != NULL ? put_string(&w, in->cmdline) : 0;
    size_t name = in->loader_name != NULL ? put_string(&w, in->loader_name) : 0;
    for (unsigned i = 0; i < in->module_count && !w.overflow; i++) {
        size_t s = put_string(&w, in->modules[i].cmdline);

        if (w.overflow)
            break;
        uint8_t *m = w.buf + mods + (size_t)i * MB1_MODULE_SIZE;
        put32(m + 0, (uint32_t)in->modules[i].start);
        put32(m + 4, (uint32_t)in->modules[i].end);
        put32(m + 8, (uint32_t)(buf_phys + s));
    }
    if (w.overflow || w.pos > FOUR_GIB - buf_phys)
        return 0;

    uint8_t *p = w.buf + info;
    mb_basic_meminfo(in->mem, in->mem_count, &mem_lower, &mem_upper);
    put32(p + MB1_I_MEM_LOWER, mem_lower);
    put32(p + MB1_I_MEM_UPPER, mem_upper);
    put32(p + MB1_I_MODS_COUNT, in->module_count);
    put32(p + MB1_I_MODS_ADDR, (uint32_t)(buf_phys + mods));
    put32(p + MB1_I_MMAP_LENGTH, in->mem_count * MB1_MMAP_ENTRY_SIZE);
    put32(p + MB1_I_MMAP_ADDR, (uint32_t)(buf_phys + mmap));
    for (unsigned i = 0; i < in->mem_count; i++) {
        uint8_t *e = w.buf + mmap + (size_t)i * MB1_MMAP_ENTRY_SIZE;

        put32(e + 0, MB1_MMAP_ENTRY_SIZE - 4);     /* size excludes itself */
        put64(e + 4, in->mem[i].addr);
        put64(e + 12, in->mem[i].size);
        put32(e + 20, in->mem[i].type);
    }
    if (in->cmdline != NULL) {
        flags |= MB1_INFO_CMDLINE;
        put32(p + MB1_I_CMDLINE, (uint32_t)(buf_phys + cmdline));
    }
    if (in->loader_name != NULL) {
        flags |= MB1_INFO_LOADER_NAME;
        put32(p + MB1_I_BOOT_LOADER_NAME, (uint32_t)(buf_phys + name));
    }
    if (in->fb != NULL) {
        flags |= MB1_INFO_FRAMEBUFFER;
        put64(p + MB1_I_FB_ADDR, in->fb->base);
        put32(p + MB1_I_FB_PITCH, pitch);
        put32(p + MB1_I_FB_WIDTH, in->fb->width);
        put32(p + MB1_I_FB_HEIGHT, in->fb->height);
        put8(p + MB1_I_FB_BPP, 32);
        put8(p + MB1_I_FB_TYPE, MB_FB_TYPE_RGB);
        put_color_info(p + MB1_I_FB_COLOR_INFO, red_pos, blue_pos);
    }
    put32(p + MB1_I_FLAGS, flags);
    return w.pos;
}

/* Starts a tag of the given type and total size; returns its offset. */
static size_t begin_tag(struct writer *w, uint32_t type, size_t size)
{
    size_t at = reserve(w, size);

    if (!w->overflow) {
        put32(w->buf + at, type);
        put32(w->buf + at + 4, (uint32_t)size);
    }
    return at;
}

static void string_tag(struct writer *w, uint32_t type, const char *s)
{
    size_t len = string_length(s);
    size_t at = begin_tag(w, type, 8 + len + 1);

    if (!w->overflow)
        __builtin_memcpy(w->buf + at + 8, s, len);
}

#define MB2_FB_TAG_SIZE     38   /* common part (32: u16 reserved, as GRUB) + 6 colour bytes */
#define MB2_RSDP_V1_SIZE    20
#define MB2_RSDP_V2_SIZE    36
#define ACPI_RSDP_REVISION  15   /* offset of the revision byte in the RSDP */

static void mb2_fb_tag(struct writer *w, const struct bootinfo_framebuffer *fb, uint32_t pitch,
                       uint8_t red_pos, uint8_t blue_pos)
{
    size_t at = begin_tag(w, MB2_TAG_FRAMEBUFFER, MB2_FB_TAG_SIZE);

    if (w->overflow)
        return;
    uint8_t *t = w->buf + at;
    put64(t + 8, fb->base);
    put32(t + 16, pitch);
    put32(t + 20, fb->width);
    put32(t + 24, fb->height);
    put8(t + 28, 32);
    put8(t + 29, MB_FB_TYPE_RGB);
    put16(t + 30, 0);
    put_color_info(t + 32, red_pos, blue_pos);
}

static void mb2_memory_tags(struct writer *w, const struct mb_info_input *in)
{
    uint32_t mem_lower, mem_upper;
    size_t at = begin_tag(w, MB2_TAG_BASIC_MEMINFO, 16);

    mb_basic_meminfo(in->mem, in->mem_count, &mem_lower, &mem_upper);
    if (!w->overflow) {
        put32(w->buf + at + 8, mem_lower);
        put32(w->buf + at + 12, mem_upper);
    }

    at = begin_tag(w, MB2_TAG_MMAP, 16 + (size_t)in->mem_count * MB2_MMAP_ENTRY_SIZE);
    if (w->overflow)
        return;
    put32(w->buf + at + 8, MB2_MMAP_ENTRY_SIZE);
    put32(w->buf + at + 12, 0);                     /* entry_version */
    for (unsigned i = 0; i < in->mem_count; i++) {
        uint8_t *e = w->buf + at + 16 + (size_t)i * MB2_MMAP_ENTRY_SIZE;

        put64(e + 0, in->mem[i].addr);
        put64(e + 8, in->mem[i].size);
        put32(e + 16, in->mem[i].type);
        put32(e + 20, 0);
    }
}

static void mb2_acpi_tags(struct writer *w, const struct mb_info_input *in)
{
    size_t at = begin_tag(w, MB2_TAG_ACPI_OLD, 8 + MB2_RSDP_V1_SIZE);

    if (!w->overflow)
        __builtin_memcpy(w->buf + at + 8, in->rsdp, MB2_RSDP_V1_SIZE);
    if (in->rsdp_size >= MB2_RSDP_V2_SIZE && in->rsdp[ACPI_RSDP_REVISION] >= 2) {
        at = begin_tag(w, MB2_TAG_ACPI_NEW, 8 + MB2_RSDP_V2_SIZE);
        if (!w->overflow)
            __builtin_memcpy(w->buf + at + 8, in->rsdp, MB2_RSDP_V2_SIZE);
    }
}

size_t mb2_build_info(void *buf, size_t cap, uint64_t buf_phys, const struct mb_info_input *in)
{
    struct writer w = { .buf = buf, .cap = cap, .pos = 0, .overflow = false };
    uint32_t pitch = 0;
    uint8_t red_pos = 0, blue_pos = 0;

    if (!input_usable(buf, buf_phys, in))
        return 0;
    if (in->fb != NULL && !fb_layout(in->fb, &pitch, &red_pos, &blue_pos))
        return 0;
    if (in->rsdp != NULL && in->rsdp_size < MB2_RSDP_V1_SIZE)
        return 0;

    reserve(&w, 8);                                  /* total_size, reserved */
    if (in->cmdline != NULL)
        string_tag(&w, MB2_TAG_CMDLINE, in->cmdline);
    if (in->loader_name != NULL)
        string_tag(&w, MB2_TAG_LOADER_NAME, in->loader_name);
    for (unsigned i = 0; i < in->module_count && !w.overflow; i++) {
        const struct mb_module *m = &in->modules[i];
        const char *s = m->cmdline != NULL ? m->cmdline : "";
        size_t len = string_length(s);
        size_t at = begin_tag(&w, MB2_TAG_MODULE, 16 + len + 1);

        if (w.overflow)
            break;
        put32(w.buf + at + 8, (uint32_t)m->start);
        put32(w.buf + at + 12, (uint32_t)m->end);
        __builtin_memcpy(w.buf + at + 16, s, len);
    }
    mb2_memory_tags(&w, in);
    if (in->fb != NULL)
        mb2_fb_tag(&w, in->fb, pitch, red_pos, blue_pos);
    if (in->rsdp != NULL)
        mb2_acpi_tags(&w, in);
    if (in->has_load_base) {
        size_t at = begin_tag(&w, MB2_TAG_LOAD_BASE_ADDR, 12);

        if (!w.overflow)
            put32(w.buf + at + 8, in->load_base);
    }
    begin_tag(&w, MB2_TAG_END, 8);
    if (w.overflow || w.pos > FOUR_GIB - buf_phys || w.pos > UINT32_MAX)
        return 0;

    put32(w.buf + 0, (uint32_t)w.pos);
    put32(w.buf + 4, 0);
    return w.pos;
}
