/* The payload kinds (see include/lib/payload_kinds.h). */
#include "lib/payload_kinds.h"
#include "lib/kstring.h"

static const struct payload_kind kinds[CFG_PAYLOAD_COUNT] = {
    [CFG_PAYLOAD_SELFTEST]  = { "selftest",  true,  0, 0 },
    [CFG_PAYLOAD_HOSTILE]   = { "hostile",   true,  0, 0 },
    [CFG_PAYLOAD_BENCH]     = { "bench",     true,  0, 0 },
    [CFG_PAYLOAD_LINUX]     = { "linux",     false,
                                PAYLOAD_INPUT_KERNEL | PAYLOAD_INPUT_INITRD | PAYLOAD_INPUT_CMDLINE,
                                PAYLOAD_INPUT_KERNEL },
    [CFG_PAYLOAD_MULTIBOOT] = { "multiboot", false,
                                PAYLOAD_INPUT_KERNEL | PAYLOAD_INPUT_MODULES | PAYLOAD_INPUT_CMDLINE,
                                PAYLOAD_INPUT_KERNEL },
};

const struct payload_kind *payload_kind(enum cfg_payload p)
{
    if ((unsigned)p < CFG_PAYLOAD_COUNT)
        return &kinds[p];
    return NULL;
}

bool payload_kind_find(const char *name, size_t len, enum cfg_payload *out)
{
    for (unsigned i = 0; i < CFG_PAYLOAD_COUNT; i++) {
        if (kstrlen(kinds[i].name) == len && kmemcmp(kinds[i].name, name, len) == 0) {
            *out = (enum cfg_payload)i;
            return true;
        }
    }
    return false;
}

const struct payload_kind *payload_kind_taking(enum payload_input input)
{
    for (unsigned i = 0; i < CFG_PAYLOAD_COUNT; i++) {
        if (kinds[i].takes & input)
            return &kinds[i];
    }
    return NULL;
}

/* Appends s at *used, keeping the NUL; stops quietly at the end of buf. */
static void append(char *buf, size_t size, size_t *used, const char *s)
{
    while (*s && *used + 1 < size)
        buf[(*used)++] = *s++;
    buf[*used] = '\0';
}

void payload_kind_names(char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < CFG_PAYLOAD_COUNT; i++) {
        if (i > 0)
            append(buf, size, &used, i + 1 == CFG_PAYLOAD_COUNT ? " or " : ", ");
        append(buf, size, &used, kinds[i].name);
    }
}
