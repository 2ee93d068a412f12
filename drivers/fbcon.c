/*
 * Text console on the GOP framebuffer: what a user in front of a real
 * machine sees (the serial console is for logs and tests).  Lines are drawn
 * with the embedded PSF font; errors red, warnings yellow; the screen scrolls.
 */
#include "drivers/fbcon.h"
#include "kernel/log.h"
#include "lib/psf.h"
#include "lib/kstring.h"

extern const uint8_t font_psf[], font_psf_end[];

static struct psf_font font;
static volatile uint32_t *fb;
static uint32_t fb_width, fb_height, fb_stride;   /* pixels */
static uint32_t cols, rows, cur_col, cur_row;
static uint32_t fg, bg;
static uint32_t color_normal, color_warning, color_error;
static bool rgb_order;   /* byte 0 red (RGBX) rather than blue (BGRX) */

static uint32_t pack_color(uint8_t r, uint8_t g, uint8_t b)
{
    return rgb_order ? (uint32_t)r | (uint32_t)g << 8 | (uint32_t)b << 16
                     : (uint32_t)b | (uint32_t)g << 8 | (uint32_t)r << 16;
}

static void fill_rows(uint32_t first_pixel_row, uint32_t count)
{
    for (uint32_t y = first_pixel_row; y < first_pixel_row + count && y < fb_height; y++) {
        for (uint32_t x = 0; x < fb_width; x++) {
            fb[(uint64_t)y * fb_stride + x] = bg;
        }
    }
}

static void draw_glyph(uint32_t col, uint32_t row, char c)
{
    const uint8_t *glyph = psf_glyph(&font, c);
    uint32_t x0 = col * font.width, y0 = row * font.height;
    for (uint32_t y = 0; y < font.height; y++) {
        const uint8_t *bits = glyph + y * font.row_bytes;
        volatile uint32_t *line = fb + (uint64_t)(y0 + y) * fb_stride + x0;
        for (uint32_t x = 0; x < font.width; x++) {
            line[x] = (bits[x / 8] & (0x80 >> (x % 8))) ? fg : bg;
        }
    }
}

static void scroll_one_line(void)
{
    uint64_t line_pixels = (uint64_t)font.height * fb_stride;
    uint64_t keep = (uint64_t)(rows - 1) * line_pixels;
    for (uint64_t i = 0; i < keep; i++) {
        fb[i] = fb[i + line_pixels];
    }
    fill_rows((rows - 1) * font.height, font.height);
}

static void newline(void)
{
    cur_col = 0;
    if (++cur_row >= rows) {
        scroll_one_line();
        cur_row = rows - 1;
    }
}

static void fbcon_write(const char *s, unsigned len)
{
    /* The log hands over whole lines: colour by the line's prefix. */
    if (cur_col == 0) {
        fg = color_normal;
        if (len >= 15 && kstrncmp(s, "kestrel: error:", 15) == 0) {
            fg = color_error;
        } else if (len >= 17 && kstrncmp(s, "kestrel: warning:", 17) == 0) {
            fg = color_warning;
        }
    }
    for (unsigned i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\n') {
            newline();
        } else if (c == '\r') {
            cur_col = 0;
        } else {
            if (cur_col >= cols) {
                newline();
            }
            draw_glyph(cur_col++, cur_row, c);
        }
    }
}

static struct console fb_console = { .write = fbcon_write, .guest_owned = true };

void fbcon_init(const struct kestrel_bootinfo *bi)
{
    const char *why;

    if (bi->fb.format == BOOTINFO_FB_NONE || !bi->fb.base) {
        return;
    }
    if (!psf_parse(font_psf, (size_t)(font_psf_end - font_psf), &font, &why)) {
        log_warn("framebuffer console off: built-in font unusable (%s)", why);
        return;
    }
    fb = (volatile uint32_t *)bi->fb.base;
    fb_width = bi->fb.width;
    fb_height = bi->fb.height;
    fb_stride = bi->fb.pixels_per_line;
    rgb_order = bi->fb.format == BOOTINFO_FB_RGBX;
    cols = fb_width / font.width;
    rows = fb_height / font.height;
    if (cols == 0 || rows == 0 || fb_stride < fb_width) {
        log_warn("framebuffer console off: %ux%u is too small", fb_width, fb_height);
        return;
    }
    color_normal = pack_color(0xc0, 0xc0, 0xc0);
    color_warning = pack_color(0xff, 0xd0, 0x40);
    color_error = pack_color(0xff, 0x50, 0x50);
    bg = pack_color(0, 0, 0);
    fg = color_normal;
    fill_rows(0, fb_height);
    log_add_console(&fb_console);
}
