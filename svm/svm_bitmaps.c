/* The SVM MSR and I/O permission maps (see svm_bitmaps.h; APM vol. 2 15.10.1,
 * 15.11). */
#include "svm/svm_bitmaps.h"

#define BITS_PER_BYTE           8u

/* ---- MSRPM ------------------------------------------------------------------------- */

#define MSRPM_RANGE_MSRS        0x2000u     /* 8 Ki MSRs per range */
#define MSRPM_BITS_PER_MSR      2u          /* read bit, then write bit */
#define MSRPM_MSRS_PER_BYTE     (BITS_PER_BYTE / MSRPM_BITS_PER_MSR)
#define MSRPM_RANGE_BYTES       (MSRPM_RANGE_MSRS / MSRPM_MSRS_PER_BYTE)   /* 0x800 */
#define MSRPM_WRITE_BIT         1u          /* offset of the write bit from the read bit */

/* The three ranges of APM 15.11 ("MSR Permissions Map"): first MSR and the
 * byte its pair of bits starts at. */
static const struct {
    uint32_t first_msr;
    uint32_t byte_offset;
} msrpm_ranges[] = {
    { 0x00000000u, 0x0000u },
    { 0xc0000000u, 0x0800u },
    { 0xc0010000u, 0x1000u },
};

#define MSRPM_RANGE_COUNT (sizeof(msrpm_ranges) / sizeof(msrpm_ranges[0]))
#define MSRPM_USED_BYTES  (MSRPM_RANGE_COUNT * MSRPM_RANGE_BYTES)   /* 0x1800; the rest reserved */

_Static_assert(MSRPM_USED_BYTES <= SVM_MSRPM_SIZE, "MSRPM ranges fit the map");

/* The bit of (msr, write) as a bit index into the map, or false when the
 * MSR is outside the ranges. */
static bool msrpm_bit(uint32_t msr, bool write, uint32_t *bit)
{
    for (unsigned i = 0; i < MSRPM_RANGE_COUNT; i++) {
        /* Unsigned: an MSR below first_msr wraps to a large index. */
        uint32_t index = msr - msrpm_ranges[i].first_msr;

        if (index < MSRPM_RANGE_MSRS) {
            *bit = msrpm_ranges[i].byte_offset * BITS_PER_BYTE + index * MSRPM_BITS_PER_MSR +
                   (write ? MSRPM_WRITE_BIT : 0);
            return true;
        }
    }
    return false;
}

static void set_bit(uint8_t *map, uint32_t bit, bool value)
{
    uint8_t mask = (uint8_t)(1u << (bit % BITS_PER_BYTE));

    if (value)
        map[bit / BITS_PER_BYTE] |= mask;
    else
        map[bit / BITS_PER_BYTE] &= (uint8_t)~mask;
}

static bool test_bit(const uint8_t *map, uint32_t bit)
{
    return (map[bit / BITS_PER_BYTE] >> (bit % BITS_PER_BYTE)) & 1u;
}

bool svm_msrpm_set(uint8_t msrpm[SVM_MSRPM_SIZE], uint32_t msr, bool write, bool intercept)
{
    uint32_t bit;

    if (!msrpm_bit(msr, write, &bit))
        return false;
    set_bit(msrpm, bit, intercept);
    return true;
}

void svm_msrpm_build(uint8_t msrpm[SVM_MSRPM_SIZE],
                     bool (*intercepts)(uint32_t msr, bool write, void *ctx), void *ctx)
{
    __builtin_memset(msrpm, 0, SVM_MSRPM_SIZE);
    for (unsigned r = 0; r < MSRPM_RANGE_COUNT; r++) {
        for (uint32_t i = 0; i < MSRPM_RANGE_MSRS; i++) {
            uint32_t msr = msrpm_ranges[r].first_msr + i;

            if (intercepts(msr, false, ctx))
                svm_msrpm_set(msrpm, msr, false, true);
            if (intercepts(msr, true, ctx))
                svm_msrpm_set(msrpm, msr, true, true);
        }
    }
}

bool svm_msrpm_exits(const uint8_t *msrpm, uint32_t msr, bool write)
{
    uint32_t bit;

    if (!msrpm_bit(msr, write, &bit))
        return true;
    return test_bit(msrpm, bit);
}

/* ---- IOPM ---------------------------------------------------------------------------- */

#define IOPM_WRAP_PORTS         3u          /* a 4-byte access at 0xFFFF reaches 3 ports past it */
#define IO_SIZE_BYTE            1u
#define IO_SIZE_WORD            2u
#define IO_SIZE_DWORD           4u

_Static_assert((SVM_IOPM_PORTS + IOPM_WRAP_PORTS) <= SVM_IOPM_SIZE * BITS_PER_BYTE,
               "wrap-around bits fit the IOPM");

void svm_iopm_clear(uint8_t iopm[SVM_IOPM_SIZE])
{
    __builtin_memset(iopm, 0, SVM_IOPM_SIZE);
}

void svm_iopm_intercept(uint8_t iopm[SVM_IOPM_SIZE], uint16_t port)
{
    set_bit(iopm, port, true);
    /* A 2- or 4-byte access starting at 0xFFFD..0xFFFF also touches ports
     * 0..2, but the CPU reads bits 0x10000..0x10002 for them. */
    if (port < IOPM_WRAP_PORTS)
        set_bit(iopm, SVM_IOPM_PORTS + port, true);
}

bool svm_iopm_exits(const uint8_t *iopm, uint16_t port, unsigned size)
{
    if (size != IO_SIZE_BYTE && size != IO_SIZE_WORD && size != IO_SIZE_DWORD)
        return true;
    for (uint32_t bit = port; bit < (uint32_t)port + size; bit++) {
        if (test_bit(iopm, bit))
            return true;
    }
    return false;
}
