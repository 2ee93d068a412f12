/* Loading a built-in guest image (guest/guest_image.h) into guest memory. */
#ifndef KESTREL_GUEST_BUILTIN_H
#define KESTREL_GUEST_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>
#include "guest/guest_image.h"
#include "mm/frames.h"
#include "core/vm.h"

struct builtin_image {
    const char *name;
    const uint8_t *data;
    size_t size;
};

/* The embedded image for a payload name ("selftest"), or NULL. */
const struct builtin_image *builtin_find(const char *name);

/* Copies the image into pages taken from `guest` (guest RAM), builds its
 * page tables and boot info there (info is filled by the caller first,
 * except the magic), and fills *entry.  False with *why on bad images or
 * too little guest memory. */
bool builtin_load(const struct builtin_image *img, struct frame_pool *guest,
                  const struct guest_boot_info *info, struct guest_entry *entry,
                  const char **why);

#endif
