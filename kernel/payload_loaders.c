/* Load functions by payload kind (see kernel/payload_loaders.h). */
#include "kernel/payload_loaders.h"
#include "kernel/builtin_payload.h"
#include "guest/linux_loader.h"
#include "guest/multiboot_loader.h"

static payload_load_fn *const loaders[CFG_PAYLOAD_COUNT] = {
    [CFG_PAYLOAD_SELFTEST]  = builtin_payload_load,
    [CFG_PAYLOAD_HOSTILE]   = builtin_payload_load,
    [CFG_PAYLOAD_BENCH]     = builtin_payload_load,
    [CFG_PAYLOAD_LINUX]     = linux_load,
    [CFG_PAYLOAD_MULTIBOOT] = multiboot_load,
};

payload_load_fn *payload_loader(enum cfg_payload p)
{
    return (unsigned)p < CFG_PAYLOAD_COUNT ? loaders[p] : 0;
}
