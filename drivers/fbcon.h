/* Text console on the GOP framebuffer (the screen of a real machine). */
#ifndef KESTREL_DRIVERS_FBCON_H
#define KESTREL_DRIVERS_FBCON_H

#include "bootinfo.h"

/* Registers the framebuffer as a log console when the loader found one. */
void fbcon_init(const struct kestrel_bootinfo *bi);

#endif
