/*
 * probe_values.h - what the probe component computes from what it is given,
 * shared by every component build and every host build, so that the host
 * can check each answer. Only 32-bit multiplies, shifts and adds: nothing
 * that needs a compiler runtime helper on 32-bit x86 (_allmul, __divdi3),
 * so the freestanding MSVC-target builds need no C runtime.
 */
#ifndef FACET_PROBE_VALUES_H
#define FACET_PROBE_VALUES_H

#include "probe.h"

#define PROBE_MODULE_NAME "org.facet.probe"
#define PROBE_MODULE_VERSION "1.0.0"
#define PROBE_XOR32 0x5A5AA5A5u
#define PROBE_XOR64 0xF0E1D2C3B4A59687ull

static inline int32_t probe_i32(int32_t v)
{
    return (int32_t)((uint32_t)v ^ PROBE_XOR32);
}
static inline uint32_t probe_u32(uint32_t v)
{
    return ~v;
}
static inline int64_t probe_i64(int64_t v)
{
    return (int64_t)(0u - (uint64_t)v); /* two's complement negation, no overflow */
}
static inline uint64_t probe_u64(uint64_t v)
{
    return v ^ PROBE_XOR64;
}
static inline float probe_f32(float v)
{
    return v * 2.0f;
}
static inline double probe_f64(double v)
{
    return v * -0.5;
}

/* FNV-1a, 32 bits, over bytes. */
#define PROBE_FNV_INIT 2166136261u
static inline uint32_t probe_fnv(uint32_t h, const void *data, uint32_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    uint32_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Mixes one value into a running checksum of Mixed's arguments, by its bytes
 * in little-endian order (so a float or double goes in by its bits). */
static inline uint32_t probe_mix64(uint32_t h, uint64_t v)
{
    uint8_t b[8];
    uint32_t i;
    for (i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return probe_fnv(h, b, 8);
}
static inline uint64_t probe_bits_f64(double d)
{
    union {
        double d;
        uint64_t u;
    } u;
    u.d = d;
    return u.u;
}
static inline uint64_t probe_bits_f32(float f)
{
    union {
        float f;
        uint32_t u;
    } u;
    u.f = f;
    return u.u;
}

static inline uint64_t probe_mixed_checksum(int32_t a, double b, int64_t c, float d, uint32_t e,
                                            uint64_t f, double g, int32_t h, float i, int64_t j,
                                            double k)
{
    uint32_t s = PROBE_FNV_INIT, t;
    s = probe_mix64(s, (uint64_t)(int64_t)a);
    s = probe_mix64(s, probe_bits_f64(b));
    s = probe_mix64(s, (uint64_t)c);
    s = probe_mix64(s, probe_bits_f32(d));
    s = probe_mix64(s, e);
    t = s;
    s = probe_mix64(s, f);
    s = probe_mix64(s, probe_bits_f64(g));
    s = probe_mix64(s, (uint64_t)(int64_t)h);
    s = probe_mix64(s, probe_bits_f32(i));
    s = probe_mix64(s, (uint64_t)j);
    s = probe_mix64(s, probe_bits_f64(k));
    return ((uint64_t)t << 32) | s;
}

/* The GUID Guids returns: every field complemented. */
static inline void probe_guid_complement(FacetGuid *out, const FacetGuid *in)
{
    uint32_t i;
    out->Data1 = ~in->Data1;
    out->Data2 = (uint16_t)~in->Data2;
    out->Data3 = (uint16_t)~in->Data3;
    for (i = 0; i < 8; i++)
        out->Data4[i] = (uint8_t)~in->Data4[i];
}

/* Byte i of the pattern MakeBytes and MakeBlob fill in. */
static inline uint8_t probe_pattern(uint32_t seed, uint32_t i)
{
    return (uint8_t)((seed * 31u + i * 7u) ^ (i >> 8));
}

/* MakeText(n) gives this UTF-8 text followed by n in decimal. */
#define PROBE_TEXT_PREFIX "probe \xE2\x9C\x93 \xC3\xBC\xC3\xB1\xC3\xAF\xC3\xA7\xC3\xB8" "d\xC3\xA9 \xF0\x9F\x8C\x8D n="

/* The callback's answer, and the arguments the component passes it. */
static inline int64_t probe_step(int32_t a, int64_t c)
{
    return c + (int64_t)a * 3;
}
static inline int64_t probe_step_c(int32_t i)
{
    return ((int64_t)i << 40) | (int64_t)i;
}

/* The version 1 part of ProbeRecord ends where `extra` starts. */
#define PROBE_RECORD_V1_SIZE ((uint32_t)offsetof(ProbeRecord, extra))

/* What Record does to the record it is given: each field through its
 * function above, only as far as struct_size reaches (abi.h rule 5). */
static inline FacetResult probe_record_answer(ProbeRecord *record)
{
    if (record == NULL)
        return FACET_E_POINTER;
    if (record->struct_size < PROBE_RECORD_V1_SIZE)
        return FACET_E_STRUCTSIZE;
    record->i32 = probe_i32(record->i32);
    record->u64 = probe_u64(record->u64);
    record->f64 = probe_f64(record->f64);
    record->f32 = probe_f32(record->f32);
    probe_guid_complement(&record->guid, &record->guid);
    if (record->struct_size >= sizeof(ProbeRecord)) {
        record->extra = probe_i64(record->extra);
        record->pointer = record;
        record->struct_size = sizeof(ProbeRecord);
    } else {
        record->struct_size = PROBE_RECORD_V1_SIZE;
    }
    return FACET_OK;
}

/* The decimal digits of n, most significant first, into digits[10]; returns
 * how many. 32-bit division only. */
static inline uint32_t probe_digits(char *digits, uint32_t n)
{
    char rev[10];
    uint32_t count = 0, i;
    do {
        rev[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    for (i = 0; i < count; i++)
        digits[i] = rev[count - 1 - i];
    return count;
}

/* Bytes MakeText(n) allocates, the NUL included. */
static inline uint32_t probe_text_size(uint32_t n)
{
    char digits[10];
    return (uint32_t)sizeof(PROBE_TEXT_PREFIX) + probe_digits(digits, n);
}

/* Writes MakeText(n)'s text into dst (probe_text_size(n) bytes). */
static inline void probe_text_fill(char *dst, uint32_t n)
{
    static const char prefix[] = PROBE_TEXT_PREFIX;
    char digits[10];
    uint32_t i, nd = probe_digits(digits, n);
    for (i = 0; i < sizeof(prefix) - 1; i++)
        *dst++ = prefix[i];
    for (i = 0; i < nd; i++)
        *dst++ = digits[i];
    *dst = '\0';
}

/* ReadText's answer: length in bytes and checksum of NUL-terminated text. */
static inline FacetResult probe_text_read(const char *text, uint32_t *length, uint32_t *checksum)
{
    uint32_t n = 0;
    if (text == NULL || length == NULL || checksum == NULL)
        return FACET_E_POINTER;
    while (text[n] != '\0')
        n++;
    *length = n;
    *checksum = probe_fnv(PROBE_FNV_INIT, text, n);
    return FACET_OK;
}

#endif /* FACET_PROBE_VALUES_H */
