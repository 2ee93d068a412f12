#include "drivers/fbcon.h"

void fbcon_init(const struct kestrel_bootinfo *bi)
{
    (void)bi;
}
