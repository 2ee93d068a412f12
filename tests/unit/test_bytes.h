/* Reading and writing little-endian fields of a test image by raw byte
 * offset (the host is x86-64, so a memcpy is little-endian).  Tests use
 * these rather than the code under test's own accessors. */
#ifndef KESTREL_TESTS_UNIT_TEST_BYTES_H
#define KESTREL_TESTS_UNIT_TEST_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void w8(uint8_t *p, size_t off, uint8_t v) { p[off] = v; }
static inline void w16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static inline void w32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static inline void w64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }

static inline uint8_t r8(const uint8_t *p, size_t off) { return p[off]; }

static inline uint16_t r16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, 2);
    return v;
}

static inline uint32_t r32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}

static inline uint64_t r64(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

#endif
