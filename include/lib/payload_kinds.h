/*
 * The payload kinds, in one table: each kind's name in kestrel.cfg and what
 * it takes from the file (kernel, initrd, modules, command line).  Pure, so
 * the loader's and the kernel's config checks and the host tests read the
 * same rows; the kernel keys its load functions by the same enum
 * (kernel/payload_loaders.c).  A new kind is a row here and a loader there.
 */
#ifndef KESTREL_LIB_PAYLOAD_KINDS_H
#define KESTREL_LIB_PAYLOAD_KINDS_H

#include <stdbool.h>
#include <stddef.h>

enum cfg_payload {
    CFG_PAYLOAD_SELFTEST = 0,    /* the default when no payload line exists */
    CFG_PAYLOAD_HOSTILE,
    CFG_PAYLOAD_BENCH,
    CFG_PAYLOAD_LINUX,
    CFG_PAYLOAD_MULTIBOOT,
    CFG_PAYLOAD_COUNT,
};

/* What a kind reads from kestrel.cfg besides its name. */
enum payload_input {
    PAYLOAD_INPUT_KERNEL  = 1u << 0,   /* kernel = \path */
    PAYLOAD_INPUT_INITRD  = 1u << 1,   /* initrd = \path */
    PAYLOAD_INPUT_MODULES = 1u << 2,   /* module = \path [args], repeatable */
    PAYLOAD_INPUT_CMDLINE = 1u << 3,   /* cmdline = text */
};

struct payload_kind {
    const char *name;            /* as written after 'payload =' */
    bool        builtin;         /* an image inside kestrel.elf: reads no files */
    unsigned    takes;           /* payload_input bits it uses */
    unsigned    needs;           /* the bits it cannot go without (within takes) */
};

/* The row of kind p, or NULL for a value outside the enum. */
const struct payload_kind *payload_kind(enum cfg_payload p);

/* The kind named by the len bytes at name; false if there is none. */
bool payload_kind_find(const char *name, size_t len, enum cfg_payload *out);

/* The first kind (in table order) that takes input, or NULL. */
const struct payload_kind *payload_kind_taking(enum payload_input input);

/* Every kind's name as an English list ("a, b or c"), for messages;
 * truncated to size - 1 characters (size > 0). */
void payload_kind_names(char *buf, size_t size);

#endif
